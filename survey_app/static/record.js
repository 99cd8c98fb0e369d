/* Recording in the browser: a "Record" button beside each text's file field records with the
   microphone (MediaRecorder), plays the recording back, and puts it into the file field, so the
   form sends it as it would send a chosen file. Without MediaRecorder the file field is all there is. */
(function () {
  "use strict";
  if (!window.MediaRecorder || !navigator.mediaDevices || !window.DataTransfer) {
    return;
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-record]"), function (form) {
    var startLabel = form.getAttribute("data-record");
    var stopLabel = form.getAttribute("data-stop");
    var field = form.querySelector("input[type=file]");
    var button = document.createElement("button");
    var playback = document.createElement("audio");
    var recorder = null;
    button.type = "button";
    button.className = "button button-secondary";
    button.textContent = startLabel;
    playback.controls = true;
    playback.hidden = true;
    field.parentNode.insertBefore(button, field);
    field.parentNode.insertBefore(playback, field.nextSibling);

    button.addEventListener("click", function () {
      if (recorder) {
        recorder.stop();
        return;
      }
      navigator.mediaDevices.getUserMedia({audio: true}).then(function (stream) {
        var parts = [];
        recorder = new MediaRecorder(stream);
        recorder.addEventListener("dataavailable", function (event) { parts.push(event.data); });
        recorder.addEventListener("stop", function () {
          stream.getTracks().forEach(function (track) { track.stop(); });
          var type = recorder.mimeType || "audio/webm";
          var suffix = type.indexOf("mp4") >= 0 ? ".m4a" : type.indexOf("ogg") >= 0 ? ".ogg" : ".webm";
          var file = new File(parts, "recording" + suffix, {type: type});
          var files = new DataTransfer();
          files.items.add(file);
          field.files = files.files;
          playback.src = URL.createObjectURL(file);
          playback.hidden = false;
          recorder = null;
          button.textContent = startLabel;
          button.removeAttribute("aria-pressed");
        });
        recorder.start();
        button.textContent = stopLabel;
        button.setAttribute("aria-pressed", "true");
      });
    });
  });
})();
