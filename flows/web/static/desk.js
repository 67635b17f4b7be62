// The desk's only script (served as a file: the Content-Security-Policy forbids inline script).
// Keyboard shortcuts on the article page, and a click on a sentence to comment on it.
(function () {
  "use strict";
  var cards = [];
  var current = -1;

  function focusCard(index) {
    if (!cards.length) { return; }
    index = Math.max(0, Math.min(cards.length - 1, index));
    if (current >= 0 && cards[current]) { cards[current].classList.remove("focused"); }
    document.querySelectorAll(".claim.focused").forEach(function (el) { el.classList.remove("focused"); });
    current = index;
    var card = cards[current];
    card.classList.add("focused");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
    var key = card.getAttribute("data-claim");
    var spans = document.querySelectorAll('.claim[data-claim="' + key + '"]');
    spans.forEach(function (el) { el.classList.add("focused"); });
    if (spans.length) { spans[0].scrollIntoView({ block: "center" }); }
  }

  function submitIn(selector) {
    if (current < 0) { return false; }
    var form = cards[current].querySelector(selector);
    if (!form) { return false; }
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    return true;
  }

  function chooseSentence(text, el) {
    var field = document.getElementById("comment-sentence");
    if (!field) { return; }
    document.querySelectorAll(".sentence.chosen").forEach(function (s) { s.classList.remove("chosen"); });
    if (el) { el.classList.add("chosen"); }
    field.value = text;
    var box = document.getElementById("comment-text");
    if (box) { box.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    cards = Array.prototype.slice.call(document.querySelectorAll(".claim-card"));
    var body = document.getElementById("article-body");
    if (body) {
      body.addEventListener("click", function (event) {
        var claim = event.target.closest(".claim");
        if (claim) {
          var key = claim.getAttribute("data-claim");
          for (var i = 0; i < cards.length; i++) {
            if (cards[i].getAttribute("data-claim") === key) { focusCard(i); break; }
          }
          var quote = document.querySelector("#c-" + key + " .sentence-quote");
          if (quote) { chooseSentence(quote.textContent, null); }
          return;
        }
        var sentence = event.target.closest(".sentence");
        if (sentence) { chooseSentence(sentence.getAttribute("data-sentence"), sentence); }
      });
    }
    if (location.hash.indexOf("#c-") === 0) {
      for (var i = 0; i < cards.length; i++) {
        if ("#" + cards[i].id === location.hash) { focusCard(i + 1 < cards.length ? i + 1 : i); break; }
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (!cards.length) { return; }
    switch (event.key) {
      case "j": focusCard(current + 1); break;
      case "k": focusCard(current - 1); break;
      case "a": submitIn(".approve-form"); break;
      case "u": submitIn(".undo-form"); break;
      case "r":
        if (current >= 0) {
          var note = cards[current].querySelector(".note-input");
          if (note) { note.focus(); }
        }
        break;
      case "c":
        if (current >= 0) {
          var quote = cards[current].querySelector(".sentence-quote");
          if (quote) { chooseSentence(quote.textContent, null); }
        }
        break;
      default: return;
    }
    event.preventDefault();
  });
})();
