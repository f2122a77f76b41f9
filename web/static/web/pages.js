// Progressive enhancement of the web pages; everything works without it.
"use strict";
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
    for (const table of document.querySelectorAll("table.patch-list")) {
        const boxes = Array.from(table.querySelectorAll("tbody input[type=checkbox][name=patch_id]"));
        const all = table.querySelector("thead input.select-all");
        if (all) {
            all.addEventListener("change", () => {
                for (const box of boxes) {
                    box.checked = all.checked;
                }
            });
        }
        // Shift-click ticks every box between the last one clicked and this one.
        let last = null;
        for (const box of boxes) {
            box.addEventListener("click", (event) => {
                if (event.shiftKey && last !== null) {
                    const [from, to] = [boxes.indexOf(last), boxes.indexOf(box)].sort((a, b) => a - b);
                    for (const other of boxes.slice(from, to + 1)) {
                        other.checked = box.checked;
                    }
                }
                last = box;
            });
        }
    }
});

// Filter forms leave their empty fields out of the URL (the server reads them as unset).
document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches("form.filters")) {
        return;
    }
    for (const field of form.elements) {
        if (field.name && field.value === "") {
            field.disabled = true;
        }
    }
});
