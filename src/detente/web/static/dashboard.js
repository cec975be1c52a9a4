// detente dashboard: the one script of the pages. A search box with data-filter="ID" hides the
// rows of table ID that do not contain its words.
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('input[data-filter]').forEach(function (box) {
    var table = document.getElementById(box.getAttribute('data-filter'));
    if (!table) { return; }
    var rows = table.querySelectorAll('tbody tr');
    box.addEventListener('input', function () {
      var words = box.value.toLowerCase();
      rows.forEach(function (row) {
        row.style.display = row.textContent.toLowerCase().indexOf(words) >= 0 ? '' : 'none';
      });
    });
  });
});
