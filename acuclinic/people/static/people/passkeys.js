// After django-otp-webauthn's script has added a passkey, show the list with it in
// (the page is drawn by the server; nothing here builds HTML).
document.addEventListener("otp_webauthn.register_complete", () => {
  window.location.assign(window.location.pathname);
});
