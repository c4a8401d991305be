// The listing follows changes made elsewhere (another tab, device or user): the account's
// event stream (WebSocket /api/v1/events) says what changed; a change in this pod refreshes it.
import { refreshListing } from "./listing.js";

const section = document.getElementById("upload");
const podId = section.dataset.podId;
const folderId = section.dataset.folderId;
let delay = 1000;

function concerns(event) {
  const data = event.data || {};
  if (podId) return data.pod_id === podId;
  return data.parent_id === folderId || data.node_id === folderId;
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/api/v1/events`);
  socket.addEventListener("open", () => { delay = 1000; section.dataset.live = "on"; });
  socket.addEventListener("message", (message) => {
    try {
      if (concerns(JSON.parse(message.data))) refreshListing();
    } catch {
      /* not an event */
    }
  });
  socket.addEventListener("close", () => {
    section.dataset.live = "off";
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30000);
  });
}

connect();
