// The current screen's refresh callback, called when synced data arrives (forms don't set one).
let refresh = null;
export function setRefresh(fn) { refresh = fn; }
export function runRefresh() { if (refresh) refresh(); }
