// The person's websocket: bumps the navigation's notification badge (not for a refresh), and passes every event on
// to the page as a "tandem:live" DOM event ("tandem:live-open" on each (re)connect, so a page
// can fetch what it missed while the socket was down).
(function () {
  "use strict";
  var link = document.getElementById("nav-notifications");
  if (!link || !("WebSocket" in window)) { return; }
  var delay = 1000;
  // The count badge with this id inside a navigation link, made (at 0) if the page has none.
  function badgeIn(parent, id) {
    var el = document.getElementById(id);
    if (!el) {
      el = document.createElement("span");
      el.id = id;
      el.className = "badge badge-warn";
      el.dataset.count = "0";
      parent.appendChild(document.createTextNode(" "));
      parent.appendChild(el);
    }
    return el;
  }
  function badge() { return badgeIn(link, "nav-unread-count"); }
  // Whether this page shows the event's conversation: by its id, or, for a mentorship's chat
  // drawn before its first message, by the mentorship (every other message still counts).
  function shownHere(data) {
    var open = document.getElementById("conversation");
    if (!open) { return false; }
    if (open.dataset.conversation) { return parseInt(open.dataset.conversation, 10) === data.message.conversation; }
    return !!open.dataset.mentorship && parseInt(open.dataset.mentorship, 10) === data.mentorship;
  }
  // The navigation's "N unread" next to Messages, as the server counts it on a page load:
  // a new message from the other person counts, unless this page shows its conversation
  // (which reads it at once).
  function countMessage(data) {
    var nav = document.getElementById("nav-messages");
    var message = data.message;
    if (!nav || !message || message.deleted) { return; }
    if (String(message.sender) === nav.dataset.me) { return; }
    if (shownHere(data)) { return; }
    var el = badgeIn(nav, "nav-messages-unread");
    var count = parseInt(el.dataset.count || "0", 10) + 1;
    el.dataset.count = String(count);
    el.textContent = count + " unread";
  }
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/notifications/");
    socket.onopen = function () {
      delay = 1000;
      document.dispatchEvent(new CustomEvent("tandem:live-open"));
    };
    socket.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      document.dispatchEvent(new CustomEvent("tandem:live", { detail: data }));
      if (data.event === "message") { countMessage(data); }
      if (data.event !== "notification") { return; }
      // A refresh rewrites a notice that is already unread: the count stays as it is.
      if (!data.refresh) {
        var el = badge();
        var count = parseInt(el.dataset.count || "0", 10) + 1;
        el.dataset.count = String(count);
        el.textContent = count + " new";
        // The phone's menu button shows the same count while the navigation is folded away.
        var menu = document.getElementById("menu-unread-count");
        if (menu) {
          menu.lastChild.textContent = count + " new";
          menu.hidden = false;
        }
      }
      var live = document.getElementById("nav-live");
      if (live) { live.textContent = data.title; }
    };
    socket.onclose = function (event) {
      if (event.code === 4401) { return; }
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    };
  }
  connect();
})();
