// A conversation page made live: sends go to the JSON API with the client's own id (a retry
// never makes a second message), new messages arrive on the person's websocket (notify's
// live.js passes every event on as a "tandem:live" DOM event), and after a reconnect the page
// asks for everything after the last id it has. Without script the page is a plain form.
(function () {
  "use strict";
  var box = document.getElementById("conversation");
  var form = document.getElementById("message-form");
  if (!box || !window.fetch) { return; }
  var list = document.getElementById("message-list");
  var conversation = parseInt(box.dataset.conversation, 10);
  var me = parseInt(box.dataset.me, 10);
  var csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";

  function lastId() {
    var items = list.querySelectorAll("li[data-id]");
    return items.length ? parseInt(items[items.length - 1].dataset.id, 10) : 0;
  }

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  // Text as text; web addresses (http and https only) as links that open nothing else.
  function fillBody(element, text) {
    var pattern = /https?:\/\/[^\s<>"]+/g;
    var at = 0;
    var match;
    text.split("\n").forEach(function (line, index) {
      if (index > 0) { element.appendChild(document.createElement("br")); }
      at = 0;
      pattern.lastIndex = 0;
      while ((match = pattern.exec(line)) !== null) {
        element.appendChild(document.createTextNode(line.slice(at, match.index)));
        var link = document.createElement("a");
        link.href = match[0];
        link.rel = "nofollow noopener noreferrer";
        link.textContent = match[0];
        element.appendChild(link);
        at = match.index + match[0].length;
      }
      element.appendChild(document.createTextNode(line.slice(at)));
    });
  }

  // The same links the server draws: change or delete my own, report the other's.
  function actions(message) {
    var row = document.createElement("p");
    row.className = "chat-actions";
    var base = "/messages/message/" + message.id + "/";
    var links = message.sender === me ? [["Edit", "edit/"], ["Delete", "delete/"]] : [["Report", "report/"]];
    links.forEach(function (pair) {
      var link = document.createElement("a");
      link.href = base + pair[1];
      link.textContent = pair[0];
      row.appendChild(link);
    });
    return row;
  }

  function render(message) {
    var item = document.createElement("li");
    item.className = "chat-message" + (message.sender === me ? " mine" : "");
    item.id = "message-" + message.id;
    item.dataset.id = String(message.id);
    var meta = document.createElement("p");
    meta.className = "chat-meta";
    var who = document.createElement("strong");
    who.textContent = message.sender === me ? "You" : (box.dataset.otherName || "");
    meta.appendChild(who);
    var when = document.createElement("time");
    when.dateTime = message.created_at;
    // In the viewer's own time zone (their profile's), as the server draws the others.
    var options = {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"
    };
    if (box.dataset.timeZone) { options.timeZone = box.dataset.timeZone; }
    when.textContent = " " + new Date(message.created_at).toLocaleString("en-GB", options)
      .replace(/,(?=[^,]*,)/, "");
    meta.appendChild(when);
    if (message.edited && !message.deleted) {
      var edited = document.createElement("span");
      edited.className = "muted";
      edited.textContent = " (edited)";
      meta.appendChild(edited);
    }
    item.appendChild(meta);
    var body = document.createElement(message.deleted ? "p" : "div");
    body.className = "chat-body" + (message.deleted ? " muted" : "");
    body.dir = "auto";
    if (message.deleted) { body.textContent = "Message deleted"; } else { fillBody(body, message.body); }
    item.appendChild(body);
    if (!message.deleted) { item.appendChild(actions(message)); }
    return item;
  }

  // A page drawn before the pair's first message has no conversation id yet: it takes the
  // one its own list (or its own first send) answers with, so the partner's first message
  // shows as it arrives instead of "No messages yet" until a reload.
  function adopt(id) {
    if (!isNaN(conversation) || !id) { return; }
    conversation = id;
    box.dataset.conversation = String(id);
    box.dataset.readUrl = "/api/conversations/" + id + "/read";
  }

  function show(message) {
    if (message.conversation !== conversation) { return; }
    var existing = document.getElementById("message-" + message.id);
    if (existing) {
      // An edit or delete: keep the actions (links) the server drew, swap the rest.
      var fresh = render(message);
      var actions = existing.querySelector(".chat-actions");
      if (actions && message.deleted) { actions.remove(); }
      existing.replaceChild(fresh.querySelector(".chat-meta"), existing.querySelector(".chat-meta"));
      existing.replaceChild(fresh.querySelector(".chat-body"), existing.querySelector(".chat-body"));
      return;
    }
    // Announcements can arrive out of order (two senders at once): put it where its id goes.
    var empty = document.getElementById("no-messages");
    if (empty) { empty.remove(); }
    var later = Array.prototype.find.call(list.querySelectorAll("li[data-id]"), function (li) {
      return parseInt(li.dataset.id, 10) > message.id;
    });
    list.insertBefore(render(message), later || null);
    document.getElementById("seen-note").hidden = true;
    if (message.sender !== me) { markRead(); }
  }

  // One read marker in flight at a time; messages shown meanwhile are marked when it returns.
  var reading = false;
  var again = false;
  function markRead() {
    if (document.hidden) { return; }
    if (reading) { again = true; return; }
    reading = true;
    again = false;
    var done = function () {
      reading = false;
      if (again) { markRead(); }
    };
    post(box.dataset.readUrl, { last_read_id: lastId() }).then(done, done);
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(payload)
    });
  }

  // Everything after ``after`` (by default the last id we have), a page at a time: after a
  // reconnect, and when an event shows that an earlier one never came.
  function catchUp(after) {
    var from = typeof after === "number" ? after : lastId();
    fetch(box.dataset.listUrl + "?after=" + from, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (page) {
        if (!page) { return; }
        adopt(page.conversation);
        page.items.forEach(show);
        if (page.next_after) { catchUp(page.next_after); }
      });
  }

  document.addEventListener("tandem:live", function (event) {
    var data = event.detail || {};
    if (data.event === "message" && data.message && isNaN(conversation)) {
      catchUp(0);  // perhaps this page's first message: the list says whose conversation it is
    } else if ((data.event === "message" || data.event === "message_changed") && data.message) {
      // A new message names the one before it: if that is newer than ours, an event was lost
      // on the way (a server process fell behind); fetch from our last id, then show this.
      var missed = data.event === "message" && data.message.conversation === conversation &&
        data.previous > lastId();
      var from = lastId();
      show(data.message);
      if (missed) { catchUp(from); }
    } else if (data.event === "seen" && data.conversation === conversation) {
      var items = list.querySelectorAll("li[data-id]");
      var last = items[items.length - 1];
      var note = document.getElementById("seen-note");
      if (last && last.classList.contains("mine") && data.up_to >= parseInt(last.dataset.id, 10)) {
        note.hidden = false;
      }
    }
  });
  document.addEventListener("tandem:live-open", catchUp);
  document.addEventListener("visibilitychange", markRead);

  if (!form) { return; }
  var field = form.querySelector("textarea[name=body]");
  var status = document.getElementById("send-status");
  var pending = null;  // the client id of the text being sent: reused until it is stored
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = field.value;
    if (!text.trim()) { status.textContent = "Write a message first."; return; }
    pending = pending || newClientId();
    status.textContent = "Sending…";
    post(box.dataset.listUrl, { body: text, client_id: pending })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (!result.ok) {
          status.textContent = result.data.detail || "Not sent. Try again.";
          if (result.data.fields && !result.data.fields.client_id) { pending = null; }
          return;
        }
        pending = null;
        field.value = "";
        status.textContent = "Sent.";
        adopt(result.data.conversation);
        show(result.data);
      }, function () {
        status.textContent = "Not sent: no connection. Press Send again; it will not be sent twice.";
      });
  });
  field.addEventListener("input", function () { pending = null; });
})();
