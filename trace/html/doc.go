// Package html turns an Orrery trace into one self-contained HTML page for
// people to explore: the "orrery trace html" tool.
//
// The page has one swimlane per host (process or workload), with the
// records as marks on a horizontal axis of logical time (or, with a button,
// of record order) that zooms with the wheel and pans by dragging:
//
//   - a log line sits on the lane of the host whose task wrote it
//     ("bank" for "bank/conn"); an event on the lane of the host of the
//     task, process or file it is about, a network event on the host it
//     happens at (the sender's for ProcessSendBuffer, the receiver's for a
//     delivery), an event of an object the trace never ties to a host on a
//     lane of its own ("conn=3"), and what belongs to no host on "world";
//   - an event whose cause (the event being processed when it was
//     scheduled) is on another lane is drawn as an arrow from the cause: the
//     messages between hosts;
//   - faults are red diamonds, process events (kinds "Process...") purple
//     triangles, records at level ERROR red dots;
//   - the failure (the last ERROR log whose message starts with
//     trace.FailurePrefix), or the record of Options.Focus, is highlighted
//     and selected when the page opens;
//   - clicking a mark shows the record's text form in a side panel and
//     draws its causal chain back to the setup of the run, as "orrery trace
//     why" prints it; typing a seq into the search box and pressing Enter
//     centres the view on that event and selects it.
//
// The page needs no network: its style sheet and script (assets/page.css,
// assets/page.js) are embedded, and so are the records, as a JSON array in
// a <script type="application/json"> element, escaped so that no message
// can end the element early. The script draws on a canvas, only the visible
// range and at most one mark per pixel column of a lane, so a trace of
// 100,000 records renders in tens of milliseconds.
//
// Opened with the fragment #selftest, the page checks itself (the focus is
// selected, a click selects an event and highlights its chain, the search
// box works, rendering is fast) and writes the results as JSON into the
// element <pre id="selftest">; TestBrowser reads them from headless
// Chromium.
package html
