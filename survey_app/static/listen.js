/* "Listen to this page": the page's recordings, one after another, in the order they are shown.
   Only pages with recordings load this script; without it each recording still has its own player. */
(function () {
  "use strict";
  var button = document.querySelector("[data-listen-page]");
  if (!button) {
    return;
  }
  var playing = null;

  function shown(player) {
    return !player.closest("[hidden]");
  }

  function playFrom(players, index) {
    if (index >= players.length) {
      playing = null;
      return;
    }
    var player = players[index];
    playing = player;
    player.addEventListener("ended", function next() {
      player.removeEventListener("ended", next);
      if (playing === player) {
        playFrom(players, index + 1);
      }
    });
    player.play();
  }

  button.addEventListener("click", function () {
    if (playing) {
      playing.pause();
      playing = null;
      return;
    }
    var players = Array.prototype.filter.call(document.querySelectorAll("audio[data-listen]"), shown);
    playFrom(players, 0);
  });
  button.closest("[hidden]").hidden = false;
})();
