// Give a byline or photo added with "Add another" the next free position, so editors
// do not have to renumber rows by hand (positions must be unique within an article).
"use strict";
document.addEventListener("formset:added", (event) => {
    const row = event.target;
    const input = row.querySelector('input[name$="-position"]');
    if (!input) {
        return;
    }
    const group = row.closest(".inline-group") || document;
    let highest = -1;
    for (const other of group.querySelectorAll('input[name$="-position"]')) {
        if (other !== input && !other.name.includes("__prefix__") && other.value !== "") {
            highest = Math.max(highest, Number(other.value));
        }
    }
    input.value = String(highest + 1);
});
