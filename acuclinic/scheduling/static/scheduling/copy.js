// A "Copy" button for a read-only field: <button data-copy="field-id" hidden>.
// Without JavaScript the button stays hidden and the field can be selected and copied.
// When the browser refuses the clipboard (a window without focus, a strict policy), the
// field is selected instead and the button says how to copy it by hand.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(
      function () {
        button.textContent = "Copied";
      },
      function () {
        field.focus();
        field.select();
        button.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy";
      }
    );
  });
});
