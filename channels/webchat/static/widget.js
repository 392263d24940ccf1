// Website-chat widget. The embedding page opens it as
//   /webchat/widget.html#visitor=<id>&key=<visitor key>
// (minted server-side with webchat.NewVisitor). The fragment never reaches
// a server or a Referer; it is moved to sessionStorage and removed from the
// address bar. The key only signs this visitor's own messages: the site
// token stays on the server.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("send");
  var input = document.getElementById("text");

  function show(text, cls) {
    var li = document.createElement("li");
    li.textContent = text; // text, not HTML: visitor text is never markup
    if (cls) li.className = cls;
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }

  var params = new URLSearchParams(location.hash.slice(1));
  if (params.get("visitor") && params.get("key")) {
    sessionStorage.setItem("followup.visitor", params.get("visitor"));
    sessionStorage.setItem("followup.key", params.get("key"));
    history.replaceState(null, "", location.pathname + location.search);
  }
  var visitor = sessionStorage.getItem("followup.visitor");
  var key = sessionStorage.getItem("followup.key");
  if (!visitor || !key || !window.crypto || !crypto.subtle) {
    show("Chat is not available on this page.", "error");
    form.hidden = true;
    return;
  }

  function hex(buf) {
    return Array.prototype.map.call(new Uint8Array(buf), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function sign(ts, body) {
    var enc = new TextEncoder();
    return crypto.subtle.importKey("raw", enc.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (k) { return crypto.subtle.sign("HMAC", k, enc.encode(ts + "." + body)); })
      .then(hex);
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var body = JSON.stringify({
      visitor_id: visitor,
      text: text,
      sent_at: new Date().toISOString(),
      message_id: crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)
    });
    var ts = String(Math.floor(Date.now() / 1000));
    sign(ts, body).then(function (sig) {
      return fetch("/webhooks/webchat", {
        method: "POST",
        credentials: "omit",
        headers: {
          "Content-Type": "application/json",
          "X-Followup-Visitor": visitor,
          "X-Followup-Timestamp": ts,
          "X-Followup-Signature": "sha256=" + sig
        },
        body: body
      });
    }).then(function (resp) {
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      show(text, "me");
      input.value = "";
    }).catch(function () {
      show("Your message could not be sent. Please try again.", "error");
    });
  });
})();
