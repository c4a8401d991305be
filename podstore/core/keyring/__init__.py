"""Named RSA key pairs (BitDust's keys), each opening one pod."""
