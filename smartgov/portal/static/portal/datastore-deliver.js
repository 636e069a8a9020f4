// Deliver page: the replacement confirmation shows only for a full replacement, and a full
// replacement asks once more before the upload starts (the server checks the box as well).
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=deliver-form]");
  if (!form) { return; }
  var replace = form.getAttribute("data-sg-replace");
  var confirmBox = form.querySelector(".sg-replace-confirm");
  function chosen() {
    var mode = form.querySelector("input[name=mode]:checked");
    return mode ? mode.value : "";
  }
  function sync() {
    if (confirmBox) { confirmBox.hidden = chosen() !== replace; }
  }
  form.addEventListener("change", sync);
  sync();
  form.addEventListener("submit", function (event) {
    if (chosen() === replace && !window.confirm(form.getAttribute("data-sg-confirm-replace"))) {
      event.preventDefault();
    }
  });
})();
