// Sign-up and profile completion: tell the server the browser's time zone, so
// deadlines, reminders and e-mails show on the person's own clock from the
// start. The server keeps it only if it is a zone it knows; without
// JavaScript the field stays empty and the site's default zone applies.
document.querySelectorAll("input[data-browser-zone]").forEach((field) => {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && !field.value) field.value = zone;
  } catch (error) {
    // An old browser without Intl time zones: leave it to the default.
  }
});
