/* The diary's drag and drop, an enhancement over pages that work without it.
 *
 * Drag a booked card onto a free time: the card's data-move address is sent the free
 * time's start and its column's practitioner or room, and the appointment is moved
 * through the same checks as the move form. Moved: the diary reloads with the card
 * highlighted. Refused: the reason is shown above the diary with the nearest free
 * times, each a button that moves it there. Without JavaScript, or with a keyboard,
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

  function csrfToken() {
    // base.html hands htmx the token in hx-headers; the cookie is the fallback.
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) {
        return headers["X-CSRFToken"];
      }
    } catch (ignored) {
      // fall through to the cookie
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

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

  function refuse(card, answer) {
    say("Not moved: " + (answer.message || "the diary refused the move."), false);
    var alternatives = answer.alternatives || [];
    if (alternatives.length) {
      notice.appendChild(element("p", "Nearest free times:"));
      var list = element("ul");
      alternatives.forEach(function (alternative) {
        var item = element("li");
        var button = element(
          "button",
          "Move to " + alternative.start_display + " with " + alternative.practitioner.name +
            ", " + alternative.room.name,
          "small"
        );
        button.type = "button";
        button.addEventListener("click", function () {
          move(card, {
            start: alternative.start,
            practitioner: String(alternative.practitioner.id),
            room: String(alternative.room.id),
          });
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      notice.appendChild(list);
    }
    notice.focus();
  }

  function move(card, where) {
    var body = new URLSearchParams({
      start: where.start,
      location: diary.dataset.location,
      practitioner: where.practitioner || "",
      room: where.room || "",
    });
    card.classList.add("busy");
    say("Moving " + card.dataset.who + "…", true);
    fetch(card.dataset.move, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: body,
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          return { ok: response.ok, answer: answer };
        });
      })
      .then(function (result) {
        if (result.ok) {
          // The page says what moved (a message) and highlights the card where it is now.
          window.location.hash = "appt-" + result.answer.appointment.id;
          window.location.reload();
          return;
        }
        card.classList.remove("busy");
        refuse(card, result.answer);
      })
      .catch(function () {
        card.classList.remove("busy");
        say("The move could not be sent. Try again, or use “More” then “Move” on the card.");
        notice.focus();
      });
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
