"""The Checkout look-alike served to browsers: `checkout.js` and a demo page.

`new Razorpay(options).open()` takes Standard Checkout's options (`key`, `subscription_id` or
`order_id`, `name`, `description`, `prefill`, `handler`, `modal.ondismiss`, `theme.color`) and
shows a modal with Success / Failure buttons in place of the bank page. Success calls
`options.handler(response)`; failure calls the `payment.failed` listeners, as Checkout does.
The script posts to `checkout/pay` next to where it was loaded from, with the key id only.
"""

CHECKOUT_JS = r"""(function () {
  var script = document.currentScript;
  var base = script ? script.src.replace(/\/(v1\/)?checkout\.js.*$/, "") : "";
  function el(tag, style, text) {
    var node = document.createElement(tag);
    node.style.cssText = style || "";
    if (text) node.textContent = text;
    return node;
  }
  function Razorpay(options) {
    if (!(this instanceof Razorpay)) return new Razorpay(options);
    if (!options || !options.key) throw new Error("Razorpay: options.key is required");
    this.options = options;
    this.listeners = {};
  }
  Razorpay.prototype.on = function (name, callback) {
    (this.listeners[name] = this.listeners[name] || []).push(callback);
    return this;
  };
  Razorpay.prototype.emit = function (name, payload) {
    (this.listeners[name] || []).forEach(function (cb) { cb(payload); });
  };
  Razorpay.prototype.close = function () {
    if (this.backdrop) this.backdrop.remove();
    this.backdrop = null;
  };
  Razorpay.prototype.pay = function (outcome, reason) {
    var self = this, o = this.options, prefill = o.prefill || {};
    var body = { key: o.key, outcome: outcome, method: prefill.method || "card" };
    if (o.subscription_id) body.subscription_id = o.subscription_id;
    if (o.order_id) body.order_id = o.order_id;
    if (reason) body.reason = reason;
    if (prefill.email) body.email = prefill.email;
    if (prefill.contact) body.contact = prefill.contact;
    return fetch(base + "/checkout/pay", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) { return r.json(); }).then(function (result) {
      if (result.razorpay_payment_id) {
        self.close();
        if (o.handler) o.handler(result);
      } else {
        self.emit("payment.failed", result);
        self.status.textContent = (result.error && result.error.description) || "Payment failed";
      }
      return result;
    });
  };
  Razorpay.prototype.open = function () {
    var self = this, o = this.options, color = (o.theme && o.theme.color) || "#3399cc";
    this.backdrop = el("div", "position:fixed;inset:0;background:rgba(0,0,0,.6);z-index:99999;" +
      "display:flex;align-items:center;justify-content:center;font-family:sans-serif");
    var box = el("div", "background:#fff;padding:24px;border-radius:8px;min-width:320px");
    box.appendChild(el("h3", "margin:0 0 4px;color:" + color, o.name || "Razorpay Sandbox"));
    box.appendChild(el("p", "margin:0 0 12px", o.description || ""));
    box.appendChild(el("p", "font-size:12px;color:#666",
      "Sandbox checkout for " + (o.subscription_id || o.order_id || "?")));
    var reason = el("select", "margin:8px 0;width:100%");
    ["card_declined", "insufficient_fund", "payment_timed_out", "authentication_failed",
     "gateway_technical_error"].forEach(function (r) {
      var option = el("option", "", r); option.value = r; reason.appendChild(option);
    });
    var ok = el("button", "background:" + color + ";color:#fff;border:0;padding:8px 16px;" +
      "margin-right:8px", "Success");
    var ko = el("button", "padding:8px 16px;margin-right:8px", "Failure");
    var cancel = el("button", "padding:8px 16px", "Close");
    this.status = el("p", "color:#c00;font-size:13px");
    ok.onclick = function () { self.pay("success"); };
    ko.onclick = function () { self.pay("fail", reason.value); };
    cancel.onclick = function () {
      self.close();
      if (o.modal && o.modal.ondismiss) o.modal.ondismiss();
    };
    [reason, ok, ko, cancel, this.status].forEach(function (n) { box.appendChild(n); });
    this.backdrop.appendChild(box);
    document.body.appendChild(this.backdrop);
  };
  window.Razorpay = Razorpay;
})();
"""

DEMO_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Razorpay sandbox checkout</title>
<script src="checkout.js"></script></head>
<body style="font-family:sans-serif;max-width:640px;margin:40px auto">
<h2>Razorpay sandbox: Standard Checkout</h2>
<p>Pay a subscription or an order offline. The key id is public, as in real Checkout.</p>
<label>key <input id="key" size="30"></label><br><br>
<label>subscription_id or order_id <input id="target" size="30"></label><br><br>
<button id="pay">Pay</button>
<pre id="out"></pre>
<script>
var params = new URLSearchParams(location.search);
document.getElementById("key").value = params.get("key") || "";
document.getElementById("target").value =
  params.get("subscription_id") || params.get("order_id") || "";
document.getElementById("pay").onclick = function () {
  var target = document.getElementById("target").value.trim();
  var options = {
    key: document.getElementById("key").value.trim(),
    name: "Pro", description: "Sandbox payment",
    handler: function (response) {
      document.getElementById("out").textContent = JSON.stringify(response, null, 2);
    }
  };
  options[target.indexOf("order_") === 0 ? "order_id" : "subscription_id"] = target;
  var rzp = new Razorpay(options);
  rzp.on("payment.failed", function (response) {
    document.getElementById("out").textContent = JSON.stringify(response, null, 2);
  });
  rzp.open();
};
</script></body></html>
"""
