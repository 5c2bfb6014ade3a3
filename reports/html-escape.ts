// Text made safe to place in the report's HTML, as element content or a quoted attribute value: one helper for the
// page (html.ts) and the grid inside it (html-grid.ts), which each escape what they render.

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
