// Picks the platform from the link as it is typed, unless the person chose one.
(function () {
  "use strict";
  var url = document.getElementById("url");
  var platform = document.getElementById("platform");
  if (!url || !platform) return;
  var domains = [
    ["facebook.com", "facebook"], ["fb.com", "facebook"], ["fb.watch", "facebook"], ["fb.me", "facebook"],
    ["zalo.me", "zalo"], ["instagram.com", "instagram"], ["instagr.am", "instagram"],
    ["tiktok.com", "tiktok"], ["youtube.com", "youtube"], ["youtu.be", "youtube"],
    ["threads.net", "threads"], ["threads.com", "threads"], ["x.com", "x"], ["twitter.com", "x"]
  ];
  var chosen = platform.value !== "";
  platform.addEventListener("change", function () { chosen = platform.value !== ""; });
  function detect() {
    if (chosen) return;
    var host = "";
    try { host = new URL(url.value.trim()).hostname.toLowerCase(); } catch (e) { return; }
    var found = "web";
    for (var i = 0; i < domains.length; i++) {
      var d = domains[i][0];
      if (host === d || host.slice(-(d.length + 1)) === "." + d) { found = domains[i][1]; break; }
    }
    for (var j = 0; j < platform.options.length; j++) {
      if (platform.options[j].value === found) { platform.value = found; return; }
    }
  }
  url.addEventListener("input", detect);
  url.addEventListener("change", detect);
})();
