// The session note saves its text as it is typed. The page works without this script
// (one Save keeps everything); with it, the pain score, findings, aftercare, plan and
// needle counts are posted to the autosave address a moment after the last keystroke.
// The revision the page holds goes with each save: if another tab saved the draft in
// between, nothing is overwritten and the practitioner is told. A button pressed while
// a save is on its way waits for its answer: the page's revision is then the one this
// very save made, so the press is not refused as if another tab had saved.
(function () {
  "use strict";
  var form = document.getElementById("note-form");
  if (!form || !form.dataset.autosave) return;
  var state = form.querySelector(".autosave-state");
  var revision = form.querySelector("input[name=revision]");
  var fields = ["pain_before", "findings", "aftercare", "aftercare_notes", "plan", "needles_out", "needles_in"];
  var timer = null;
  var inFlight = false;
  var again = false;
  var stopped = false;
  var held = null;  // the press waiting for the save in flight

  function show(text, kind) {
    state.textContent = text;
    state.dataset.state = kind;
  }

  function body() {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
    data.append("revision", revision.value);
    fields.forEach(function (name) {
      form.querySelectorAll("[name=" + name + "]").forEach(function (input) {
        if ((input.type === "checkbox" || input.type === "radio") && !input.checked) return;
        data.append(name, input.value);
      });
    });
    return data;
  }

  function save() {
    timer = null;
    if (stopped) return;
    if (inFlight) { again = true; return; }
    inFlight = true;
    show("Saving…", "saving");
    fetch(form.dataset.autosave, {
      method: "POST",
      body: body(),
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
    }).then(function (response) {
      return response.json().then(function (answer) { return [response.status, answer]; });
    }).then(function (result) {
      var status = result[0], answer = result[1];
      if (status === 200) {
        revision.value = answer.revision;
        show(answer.message, "saved");
      } else if (status === 409 && answer.code === "draft_changed") {
        // Another tab saved first: stop saving here, so neither copy overwrites the other.
        stopped = true;
        show(answer.message.replace(/^Not saved: /, "Not saved. ") + " Press Save to see both.", "conflict");
      } else {
        show(answer.message || "Not saved. Press Save to keep your text.", "error");
      }
    }).catch(function () {
      show("Not saved: the clinic's server could not be reached. Your text is still here; press Save when you are back online.", "error");
    }).then(function () {
      inFlight = false;
      if (held) { var press = held; held = null; press(); return; }
      if (again) { again = false; save(); }
    });
  }

  function changed(event) {
    if (fields.indexOf(event.target.name) === -1) return;
    if (stopped) return;
    show("Not saved yet…", "pending");
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 800);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // A button press saves everything anyway: drop the pending autosave, and let a save
  // already sent answer first (its new revision goes with the press).
  form.addEventListener("submit", function (event) {
    if (timer) { clearTimeout(timer); timer = null; }
    stopped = true;
    if (!inFlight) return;
    event.preventDefault();
    var button = event.submitter;
    show("Saving…", "saving");
    held = function () {
      if (form.requestSubmit) form.requestSubmit(button || undefined);
      else if (button) button.click();
      else form.submit();
    };
  });
})();
