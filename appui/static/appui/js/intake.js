// Entry form: Enter in a search box searches (htmx) instead of submitting the whole request.
document.addEventListener("keydown", function (event) {
  if (event.key === "Enter" && event.target.matches("[data-appui-search]")) {
    event.preventDefault();
    if (window.htmx) {
      window.htmx.trigger(event.target, "appui-search");
    }
  }
});
