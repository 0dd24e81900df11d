/// The HTML pages of the service, rendered on the server.
///
/// Every page is a pure function from the data it shows to a complete HTML5 document: no
/// database, no I/O, so the routes decide what to fetch and the pages only decide how it looks.
/// Pages carry their own stylesheet and inline SVG, so they look the same offline.
public enum Pages {}
