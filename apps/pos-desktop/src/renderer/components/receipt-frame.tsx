/**
 * Shows the store node's receipt HTML as it will print. The frame is sandboxed without scripts: catalog
 * text is escaped by the node, and the frame could not run anything even if it were not.
 */
export function ReceiptFrame({ html, title }: { html: string; title: string }) {
  return <iframe className="receipt-frame" title={title} sandbox="" srcDoc={html} />;
}
