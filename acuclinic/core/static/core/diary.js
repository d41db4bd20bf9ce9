/* The diary's drag and drop, an enhancement over pages that work without it.
 *
 * Drag a booked card onto a free time: the browser goes to the card's confirmation page
 * (data-confirm) with the free time's start and its column's practitioner or room; it
 * names the patient and both times, and the move happens only once confirmed, through
 * the same checks as the move form, with an undo. Without JavaScript, or with a keyboard,
 * "More" → "Move" on a card leads to the move form instead.
 */
(function () {
  "use strict";

  var diary = document.querySelector(".diary[data-location]");
  var notice = document.getElementById("diary-notice");
  if (!diary || !notice || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var dragged = null;

  function freeTimeAt(target) {
    return dragged && target.closest ? target.closest(".free[data-start]") : null;
  }

  function clearHighlight() {
    diary.querySelectorAll(".free.over").forEach(function (slot) {
      slot.classList.remove("over");
    });
  }

  function endDrag() {
    if (dragged) {
      dragged.classList.remove("dragging");
    }
    dragged = null;
    clearHighlight();
    diary.classList.remove("dropping");
  }

  function element(tag, text, className) {
    var made = document.createElement(tag);
    if (text) {
      made.textContent = text;
    }
    if (className) {
      made.className = className;
    }
    return made;
  }

  function say(text, ok) {
    notice.replaceChildren(element("p", text));
    notice.classList.toggle("ok", Boolean(ok));
    notice.hidden = false;
  }

  function move(card, where) {
    // A move is never made by the drop alone: the confirmation page names the patient
    // and both times, offers to tell the patient, and only then moves (with an undo).
    var query = new URLSearchParams({
      start: where.start,
      location: diary.dataset.location,
      practitioner: where.practitioner || "",
      room: where.room || "",
    });
    card.classList.add("busy");
    say("Moving " + card.dataset.who + "…", true);
    window.location.assign((card.dataset.confirm || card.dataset.move) + "?" + query.toString());
  }

  diary.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".appt[data-move]") : null;
    if (!card) {
      return;
    }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
    card.classList.add("dragging");
    diary.classList.add("dropping");
  });

  diary.addEventListener("dragend", endDrag);

  diary.addEventListener("dragover", function (event) {
    var slot = freeTimeAt(event.target);
    if (!slot) {
      return;
    }
    event.preventDefault(); // this is a place to drop
    event.dataTransfer.dropEffect = "move";
    if (!slot.classList.contains("over")) {
      clearHighlight();
      slot.classList.add("over");
    }
  });

  diary.addEventListener("drop", function (event) {
    var slot = freeTimeAt(event.target);
    if (!slot) {
      return;
    }
    event.preventDefault();
    var card = dragged;
    endDrag();
    move(card, {
      start: slot.dataset.start,
      practitioner: slot.dataset.practitioner,
      room: slot.dataset.room,
    });
  });
})();
