/* A follow-up question ("Which state?" after "Another state") appears below the answer that
   calls for it as soon as that answer is chosen, as GOV.UK's conditional reveal does. Without
   this script the follow-up stays hidden and is asked on the page after (survey_app/public). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-question-page]");
  if (!form) {
    return;
  }
  var choices = form.querySelectorAll("input[data-aria-controls]");

  function update() {
    var wanted = {};
    Array.prototype.forEach.call(choices, function (choice) {
      if (choice.checked) {
        choice.getAttribute("data-aria-controls").split(" ").forEach(function (id) { wanted[id] = true; });
      }
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-follow-up]"), function (box) {
      var show = wanted[box.id] === true;
      box.hidden = !show;
      // Disabled fields are not sent: the server then knows the question was not shown.
      Array.prototype.forEach.call(box.querySelectorAll("input, textarea, select"), function (field) {
        field.disabled = !show;
      });
    });
  }

  Array.prototype.forEach.call(choices, function (choice) {
    choice.setAttribute("aria-controls", choice.getAttribute("data-aria-controls"));
  });
  form.addEventListener("change", update);
  update();
}());
