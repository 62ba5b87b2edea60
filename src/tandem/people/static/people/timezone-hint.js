// Fill the sign-up form's hidden time zone with the browser's, so availability starts local.
document.addEventListener("DOMContentLoaded", function () {
  var field = document.getElementById("id_timezone");
  if (!field) return;
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    field.value = "";
  }
});
