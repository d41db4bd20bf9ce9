// Click or tap the body chart to be offered the points drawn nearest that place. The
// page works without this script (points are found by the search or typed as codes);
// with it, the click's position in the chart's own units goes to the note's "near"
// address, which answers with a short list of tick boxes, each already checked against
// the patient's flags. Ticked boxes belong to the note form (form="note-form"), so
// "Chart these points" charts them with everything typed on the page.
(function () {
  "use strict";
  var column = document.querySelector(".chart-column[data-near]");
  if (!column || !window.fetch) return;
  var svg = column.querySelector(".body-chart svg");
  var panel = column.querySelector(".chart-picking");
  var offers = column.querySelector("#chart-offers");
  var ticked = document.getElementById("ticked");
  if (!svg || !panel || !offers || !ticked) return;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var ring = null;
  var asked = 0;

  panel.hidden = false;
  svg.classList.add("pickable");

  function spotOf(event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  function mark(spot) {
    if (!ring) {
      ring = document.createElementNS(SVG_NS, "circle");
      ring.setAttribute("class", "clicked");
      ring.setAttribute("r", "10");
      svg.appendChild(ring);
    }
    ring.setAttribute("cx", spot.x.toFixed(1));
    ring.setAttribute("cy", spot.y.toFixed(1));
  }

  // The list of points ticked but not yet charted (the page renders it after a refused
  // press); made here when the first point is ticked on the chart.
  function tickedList() {
    var list = ticked.querySelector("fieldset");
    if (!list) {
      list = document.createElement("fieldset");
      list.className = "picks";
      var legend = document.createElement("legend");
      legend.textContent = "Ticked, not yet charted";
      list.appendChild(legend);
      ticked.appendChild(list);
    }
    return list;
  }

  function alreadyTicked(value) {
    return Array.prototype.some.call(ticked.querySelectorAll("input[name=pick]"), function (box) {
      return box.value === value;
    });
  }

  // Points ticked from an earlier click stay ticked: move them out of the list that the
  // next click replaces.
  function keepTicked() {
    offers.querySelectorAll("input[name=pick]:checked").forEach(function (box) {
      var label = box.closest("label");
      if (alreadyTicked(box.value)) { label.remove(); return; }
      tickedList().appendChild(label);
    });
  }

  svg.addEventListener("click", function (event) {
    var spot = spotOf(event);
    mark(spot);
    keepTicked();
    var ask = ++asked;
    var url = column.dataset.near + "?x=" + spot.x.toFixed(1) + "&y=" + spot.y.toFixed(1);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (ask !== asked) return;  // a later click has already been answered
        offers.innerHTML = html;
        offers.querySelectorAll("input[name=pick]").forEach(function (box) {
          if (alreadyTicked(box.value)) box.closest("label").remove();
        });
      })
      .catch(function () {
        offers.textContent = "The clinic's server could not be reached; find the point by the search instead.";
      });
  });
})();
