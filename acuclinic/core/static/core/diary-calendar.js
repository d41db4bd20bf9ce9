/* The diary drawn by EventCalendar (vkurko/calendar, installed by acuclinic/core/frontend.py
 * into static/vendor/), over a page that works without it: the server-rendered grid stays
 * in the page and is hidden only once the calendar has drawn the same day or week from
 * the JSON feed (/diary/feed/, views/diary_feed.py).
 *
 * Day view: one column per practitioner (or room). Week view: one row per practitioner
 * (or room) and one column per day, each visit a line with its time, patient and kind of
 * visit, so eight practitioners stay readable at 1366 px. Free times are links that open
 * the booking form (one click). Dragging a booked visit onto a free time opens that
 * visit's move confirmation (patient, both times, tell the patient, undo), exactly as the
 * grid's drag and drop and the move form do: the drop itself changes nothing, and only
 * the visit grabbed is named in the address.
 */
(function () {
  "use strict";

  var mount = document.getElementById("diary-calendar");
  if (!mount || !window.EventCalendar || !window.fetch || !window.URLSearchParams) {
    return;
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

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // The calendar's dates are the location's wall-clock times (the feed sends them so).
  function wall(date) {
    return (
      date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes())
    );
  }

  function ukDay(isoDay) {
    var d = new Date(isoDay + "T12:00");
    return d.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short" });
  }

  var notice = document.getElementById("diary-notice");

  function say(text, ok) {
    if (!notice) {
      return;
    }
    notice.replaceChildren(element("p", text));
    notice.classList.toggle("ok", Boolean(ok));
    notice.hidden = false;
    notice.focus();
  }

  // A card: start time and patient, then the kind of visit, then the status in words
  // and the course and safety tags the grid's cards have. The end shows as the card's
  // length, and in full on the appointment the card opens.
  function visitContent(event) {
    var p = event.extendedProps;
    var box = element("a", "", "ec-visit");
    box.href = p.url;
    box.setAttribute("aria-label", p.time + " " + p.who + ", " + p.service + ", " + p.status_label);
    var line = element("span", "", "line");
    line.appendChild(element("span", p.time.slice(0, 5), "t"));
    line.appendChild(document.createTextNode(" "));
    line.appendChild(element("span", p.who, "who"));
    box.appendChild(line);
    var what = p.service;
    if (mount.dataset.by === "room") {
      what += " · " + p.practitioner;
    }
    box.appendChild(element("span", what, "what"));
    var tags = element("span", "", "tags");
    tags.appendChild(element("span", p.status_label, "st"));
    if (p.course_session) {
      tags.appendChild(element("span", "session " + p.course_session, "series"));
    }
    if (p.flagged) {
      tags.appendChild(element("span", "Safety flags", "flagged"));
    }
    if (p.questionnaire_due) {
      tags.appendChild(element("span", "Questionnaire due", "due"));
    }
    box.appendChild(tags);
    return box;
  }

  function freeContent(event, resources, week) {
    var p = event.extendedProps;
    var label = p.time;
    if (!p.book_url) {
      return element("span", label, "ec-free-time");
    }
    var link = element("a", "+ " + label, "ec-free-time");
    link.href = p.book_url;
    link.setAttribute(
      "aria-label",
      "Book " + (resources[p.resourceId] || "") + " at " + p.first + (week ? " on " + ukDay(p.day) : "")
    );
    return link;
  }

  // The week shows free time as periods (14:00–16:30) rather than every half hour, so a
  // day of eight practitioners stays short; a period books its first free start.
  function freeEvents(free, week) {
    var out = [];
    free.forEach(function (slot, i) {
      var last = out[out.length - 1];
      if (week && last && last.resourceId === slot.resourceId && last.end === slot.start) {
        last.end = slot.end;
        last.extendedProps.time = last.extendedProps.first + "–" + slot.end.slice(11);
        last.extendedProps.starts[slot.start] = slot.start_offset;
        return;
      }
      var starts = {};
      starts[slot.start] = slot.start_offset;
      out.push({
        id: "free-" + i,
        resourceId: slot.resourceId,
        start: slot.start,
        end: slot.end,
        title: "",
        editable: false,
        startEditable: false,
        durationEditable: false,
        classNames: ["free-time"],
        extendedProps: {
          kind: "free",
          book_url: slot.book_url,
          first: slot.start.slice(11),
          time: week ? slot.start.slice(11) + "–" + slot.end.slice(11) : slot.start.slice(11),
          day: slot.start.slice(0, 10),
          resourceId: slot.resourceId,
          starts: starts,
        },
      });
    });
    return out;
  }

  // EventCalendar marks its layout up as an ARIA table whose rows hold navigation and
  // articles, which screen readers cannot make sense of (axe: aria-required-children).
  // The diary's meaning is in its links (each names the time, patient and kind of visit,
  // or the free time and whom it books), so the layout's table roles are dropped.
  var LAYOUT_ROLES = ["table", "rowgroup", "row", "rowheader", "columnheader", "cell", "gridcell"];

  function dropLayoutRoles(root) {
    LAYOUT_ROLES.forEach(function (role) {
      root.querySelectorAll('[role="' + role + '"]').forEach(function (node) {
        node.removeAttribute("role");
      });
    });
    root.querySelectorAll("[aria-colindex], [aria-rowindex]").forEach(function (node) {
      node.removeAttribute("aria-colindex");
      node.removeAttribute("aria-rowindex");
    });
  }

  function draw(feed) {
    if (!feed.resources || !feed.resources.length) {
      mount.hidden = true; // the page already says nobody works that day
      return;
    }
    var week = feed.view === "week";
    var names = {};
    var byId = {};
    feed.resources.forEach(function (r) {
      names[r.id] = r.title;
      byId[r.id] = r;
    });
    // Where a visit may be dropped: the free starts, by column and wall-clock time.
    var freeStarts = {};
    feed.free.forEach(function (slot) {
      freeStarts[slot.resourceId + "@" + slot.start] = slot.start_offset;
    });
    mount.hidden = false;
    var options = {
      // The timeline's month view lays out whole days (a column each, sharing the width);
      // seven of them from Monday make the week.
      view: week ? "resourceTimelineMonth" : "resourceTimeGridDay",
      duration: week ? { days: 7 } : { days: 1 },
      date: week ? feed.days[0] : feed.date,
      firstDay: 1,
      locale: "en-GB",
      headerToolbar: { start: "", center: "", end: "" },
      height: "auto",
      allDaySlot: false,
      nowIndicator: true,
      resources: feed.resources.map(function (r) {
        return { id: r.id, title: r.title };
      }),
      events: feed.events.concat(freeEvents(feed.free, week)),
      slotMinTime: feed.slot_min,
      slotMaxTime: feed.slot_max,
      slotDuration: week ? { days: 1 } : "00:15",
      // Day: a 30-minute visit is tall enough for its four lines. Week: the seven days
      // (those the location opens) share the width left of the names.
      slotHeight: 40,
      hiddenDays: feed.hidden_days || [],
      slotEventOverlap: false,
      snapDuration: week ? { days: 1 } : "00:30",
      scrollTime: feed.slot_min,
      slotLabelFormat: week
        ? function (date) {
            return date.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short" });
          }
        : { hour: "2-digit", minute: "2-digit", hour12: false },
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      editable: false,
      eventStartEditable: false,
      eventDurationEditable: false,
      eventOrder: function (a, b) {
        return a.start - b.start;
      },
      eventClassNames: function (info) {
        var p = info.event.extendedProps;
        return p.kind === "visit" ? ["visit"] : [];
      },
      eventContent: function (info) {
        var p = info.event.extendedProps;
        var node = p.kind === "visit" ? visitContent(info.event) : freeContent(info.event, names, week);
        return { domNodes: [node] };
      },
      eventDidMount: function (info) {
        var p = info.event.extendedProps;
        if (p.kind === "visit") {
          info.el.dataset.appointment = info.event.id;
          info.el.dataset.start = wall(info.event.start);
          info.el.style.setProperty("--prac", p.colour || "");
          info.el.classList.add("status-" + p.status, "modality-" + p.modality);
        } else {
          info.el.dataset.freeStart = p.first;
        }
      },
      eventDrop: function (info) {
        var p = info.event.extendedProps;
        var resource = info.newResource || info.event.resourceIds && { id: info.event.resourceIds[0] };
        var resourceId = resource ? String(resource.id) : "";
        var start = wall(info.event.start);
        var offset = freeStarts[resourceId + "@" + start];
        if (!offset || !p.confirm_url) {
          info.revert();
          say("Drop " + p.who + " on a free time (a “+” time) to move the visit there.");
          return;
        }
        var target = byId[resourceId];
        var query = new URLSearchParams({
          start: offset,
          location: String(feed.location.id),
          practitioner: target.practitioner ? String(target.practitioner) : "",
          room: target.room ? String(target.room) : "",
        });
        say("Moving " + p.who + "…", true);
        // The confirmation page names the patient and both times; nothing moves before.
        window.location.assign(p.confirm_url + "?" + query.toString());
      },
    };
    if (feed.can_move) {
      options.eventStartEditable = true; // each visit says whether it may move (startEditable)
    }
    var calendar = window.EventCalendar.create(mount, options);
    dropLayoutRoles(mount);
    new MutationObserver(function () {
      dropLayoutRoles(mount);
    }).observe(mount, { childList: true, subtree: true, attributes: true, attributeFilter: ["role", "aria-colindex", "aria-rowindex"] });
    mount.calendar = calendar;
    document.querySelectorAll("[data-replaced-by-calendar]").forEach(function (grid) {
      grid.hidden = true;
    });
    mount.dataset.ready = "true";
  }

  var css = mount.dataset.css;
  if (css && !document.querySelector('link[href="' + css + '"]')) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = css;
    document.head.appendChild(link);
  }

  window
    .fetch(mount.dataset.feed, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("feed " + response.status);
      }
      return response.json();
    })
    .then(draw)
    .catch(function () {
      // The server-rendered grid is still there: nothing is lost.
      mount.hidden = true;
    });
})();
