// A "Print" button for a page that prints as a document (the referral letter). Without
// JavaScript the button stays hidden and the browser's own Print prints the same page.
document.querySelectorAll("button[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
