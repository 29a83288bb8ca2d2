// The wish form's street picker: a district has a thousand communities, so
// only those of the chosen street are listed.
(function () {
  "use strict";
  var street = document.getElementById("id_street"), community = document.getElementById("id_community");
  if (!street || !community) return;
  var url = street.getAttribute("data-places"), label = street.getAttribute("data-choose-community");
  street.addEventListener("change", function () {
    community.length = 1;
    if (!street.value) return;
    fetch(url.replace("/0/", "/" + street.value + "/")).then(function (r) { return r.json(); }).then(function (data) {
      data.communities.forEach(function (item) { community.add(new Option(item[1], item[0])); });
      if (label) community.options[0].text = label;
    });
  });
})();
