import Model
import Store

extension Pages {
    /// How a filter type is written in a query.
    static func valueFormat(_ type: FilterSpec.ValueType) -> String {
        switch type {
        case .real: return "decimal number"
        case .integer: return "integer"
        case .text: return "text"
        case .objectId: return "ZTF object name(s)"
        case .objectCone: return "objectId,radius (degrees)"
        case .time: return "ISO date or date-time (UTC)"
        case .filterName: return "g, r or i"
        case .cone: return "ra,dec,radius (degrees)"
        case .seconds: return "seconds"
        }
    }

    /// How to use the pages and the API: routes, every filter, value formats, pagination,
    /// the bulk form, the JSON shape with every field explained, errors and curl examples.
    /// `limits` is the rate limiter's settings, nil when requests are not limited.
    public static func help(catalogue: FilterCatalogue, sortValues: [String], candidateFields: [String],
                            limits: RateLimiter.Settings? = nil) -> String {
        document(title: "Help", capacity: 64_000) { html in
            html.raw("""
            <h1>Using alertdb</h1>
            <p>alertdb stores Zwicky Transient Facility alert packets and serves them the way
            MARS, the ZTF alert broker of Las Cumbres Observatory, did: the same routes, filters and JSON shape.
            Every page has a JSON twin: add <code>?format=json</code> or send <code>Accept: application/json</code>.
            The listings, object pages and photometry are also tables: <code>?format=csv</code> or <code>?format=votable</code>
            (<a href="#formats">CSV and VOTable</a>).</p>
            <nav class="links"><a href="#pages">Pages</a><a href="#routes">Routes</a><a href="#filters">Filters</a><a href="#expressions">Expressions</a><a href="#values">Value formats</a><a href="#sorting">Sorting</a><a href="#pagination">Pagination</a><a href="#bulk">Bulk queries</a><a href="#json">JSON</a><a href="#formats">CSV and VOTable</a><a href="#fields">Candidate fields</a><a href="#objects">Objects</a><a href="#rubin">Rubin</a><a href="#limits">Rate limits</a><a href="#errors">Errors</a><a href="#examples">Examples</a></nav>
            <h2 id="pages">The pages</h2>
            <p><a href="/">The listing</a> shows the newest alerts first. Fill in any of the form's fields
            (empty fields are ignored) and press Search; the address of the result is the query, so it can be
            bookmarked or fetched as JSON with the link above the table. Click an id for the alert's page:
            its cutouts, its light curve (all detections and upper limits of the object), its history and
            every field of the packet. Click an objectId for every alert of that object.</p>

            """)
            html.raw("<h2 id=\"routes\">Routes</h2>\n<p>Trailing slashes are optional (<code>/123</code> is <code>/123/</code>). GET routes also answer HEAD.</p>\n")
            html.raw("<div class=\"scroll\"><table><thead><tr><th>method</th><th>path</th><th>returns</th></tr></thead><tbody>\n")
            for route in RouteDescription.all {
                html.raw("<tr><td>\(route.method)</td><td class=\"mono\">")
                html.text(route.path)
                html.raw("</td><td class=\"wrap\">")
                html.text(route.summary)
                html.raw("</td></tr>\n")
            }
            html.raw("</tbody></table></div>\n")

            writeFilterHelp(catalogue, into: &html)
            writeExpressionHelp(into: &html)

            html.raw("""
            <h2 id="values">Value formats</h2>
            <ul>
            <li><b>decimal number</b>: any finite number, <code>18.5</code>, <code>-3</code>, <code>1e-3</code>.</li>
            <li><b>integer</b>: a decimal integer, <code>1</code>, <code>123456789012</code>.</li>
            <li><b>ISO date or date-time</b>: <code>2018-06-01</code>, <code>2018-06-01T04:00:00</code>,
            <code>2018-06-01T04:00:00.5Z</code>, <code>2018-06-01T04:00:00+00:00</code>; UTC unless an offset says otherwise; compared with the observation's jd.</li>
            <li><b>g, r or i</b>: the ZTF filter (fid 1, 2, 3).</li>
            <li><b>cone</b>: <code>ra,dec,radius</code> in degrees, −90 ≤ dec ≤ 90, 0 &lt; radius ≤ 10, e.g. <code>cone=150.1,2.2,0.01</code>.</li>
            <li><b>seconds</b>: <code>time__since=86400</code> is the last day (counted back from now, not from the newest alert).</li>
            </ul>
            <p>Empty values (<code>rb__gte=</code>, as forms send them) are ignored; an unknown parameter, a malformed value or a parameter given twice is a 400 error naming the parameter. A query combines at most \(ListingQuery.maxFilters) filters, counting each term of a <a href="#expressions"><code>where=</code></a> expression as one.
            <code>query_name</code> and <code>broker</code>, which TOM Toolkit sends with a saved MARS query, are ignored.</p>

            """)
            html.raw("<h2 id=\"sorting\">Sorting</h2>\n<p><code>sort_value</code> picks the column (default <code>jd</code>) and <code>sort_order</code> is <code>desc</code> (default) or <code>asc</code>; ties are broken by id. Sortable columns: ")
            writeCodeList(sortValues, into: &html)

            html.raw("""
            <h2 id="pagination">Pagination</h2>
            <p>A page holds 100 alerts. Either ask for a page by number, <code>page=2</code> (1 to \(ListingQuery.maxPage)), or follow
            the <code>next</code> and <code>previous</code> links of the JSON (or the page's links), which carry an opaque
            <code>cursor=</code>: cursors stay fast however deep you go and do not skip or repeat alerts when new
            ones arrive. Use one or the other, not both. A page past the last match is no error: it has no <code>results</code>, and
            <code>previous</code> leads back. <code>count</code> is exact up to 10,000 matches; beyond that it is
            an estimate (at least 10,001) and <code>count_is_estimate</code> is true.</p>
            <h2 id="bulk">Bulk queries (POST /)</h2>
            <p>POST a JSON body (at most 64 kB) with up to \(BulkRequest.maxQueries) queries, each what <code>GET /</code> takes: the listing's
            filters, <code>where</code>, <code>sort_value</code>, <code>sort_order</code>, and <code>page</code> (up to \(ListingQuery.maxOffset / BulkRequest.limit))
            or <code>cursor</code>; values may be strings or numbers, a null value is no value and <code>format</code> is ignored.
            Each query returns at most \(BulkRequest.limit) alerts (<code>capped</code> says when there were more) and costs one
            request of the rate limit. Answers, errors included, are JSON.</p>
            <pre>curl -s -X POST "$BASE/" -H 'Content-Type: application/json' -d '{
              "queries": [
                {"objectId": "ZTF17aabtdps"},
                {"cone": "14.5,-7.3,0.5", "rb__gte": 0.6}
              ]}'</pre>
            <p>The answer: <code>{"results": [{"query": {...}, "count": 2, "count_is_estimate": false, "num_alerts": 2,
            "capped": false, "results": [ALERT, ...]}, ...], "capped": false}</code>, one entry per query, in order.</p>
            <h2 id="json">JSON</h2>
            <p>The listing: <code>{"has_next", "has_prev", "count", "count_is_estimate", "pages", "latest": {"id", "jd", "wall_time"} or null,
            "next", "previous", "results": [ALERT, ...]}</code>. Numbers are JSON numbers (4-byte columns as their shortest
            decimal, e.g. <code>18.92</code>; doubles to 15 significant digits); NULL is <code>null</code>, and so are
            NaN and infinities, which some catalogue fields hold and JSON cannot.</p>
            <p>An ALERT:</p>
            <dl class="facts">
            <dt><code>lco_id</code></dt><dd>alertdb's id of the alert: its page is <code>/lco_id/</code>.</dd>
            <dt><code>objectId</code></dt><dd>The ZTF object name (ZTF18abcdefg): all alerts at one position share it.</dd>
            <dt><code>publisher</code></dt><dd>Who issued the packet (e.g. "ZTF (www.ztf.caltech.edu)"), or null.</dd>
            <dt><code>candid</code></dt><dd>The ZTF candidate id, unique per alert.</dd>
            <dt><code>avro</code></dt><dd>URL of the original packet as Avro.</dd>
            <dt><code>candidate</code></dt><dd>Every field of the ZTF candidate, by name, plus <code>l</code>, <code>b</code>, <code>deltamaglatest</code>, <code>deltamagref</code>, <code>wall_time</code> and <code>filter</code> (below).</dd>
            </dl>
            <p>The detail (<code>/&lt;id&gt;/?format=json</code>) adds <code>prv_candidate</code>: the object's other stored alerts
            (<code>"kind": "alert"</code>, with their <code>lco_id</code>), the earlier detections carried in the packets
            (<code>"detection"</code>) and the non-detections (<code>"nondetection"</code>: only jd, fid, diffmaglim and what else
            the packet had; no <code>magpsf</code> key, as MARS sent them), each with a <code>candidate</code> object, sorted by jd; and <code>cutouts</code>:
            <code>{"Science": url, "Template": url, "Difference": url}</code>.
            Photometry (<code>/&lt;id&gt;/photometry/?format=json</code>): <code>{"lco_id", "objectId", "photometry": [{"jd", "filter",
            "magpsf", "sigmapsf", "diffmaglim", "isdiffpos"}, ...]}</code>, magpsf null for upper limits.
            <code>/latest/?format=json</code>: <code>{"id", "candid", "jd", "wall_time", "age_seconds"}</code>.</p>

            """)
            writeFormatsHelp(into: &html)
            writeFieldHelp(candidateFields, into: &html)
            writeObjectHelp(into: &html)
            writeRubinHelp(into: &html)
            writeLimitsHelp(limits, into: &html)
            html.raw("""
            <h2 id="errors">Errors</h2>
            <p>A rejected request answers with a status and JSON (or, for a browser, a page saying the same):</p>
            <ul>
            <li><b>400</b> <code>{"error": "rb__gte must be a decimal number, not 'abc'", "parameter": "rb__gte"}</code>: a bad parameter, value or body; <code>parameter</code> names it.</li>
            <li><b>404</b> <code>{"error": "..."}</code>: no alert with that id, no object of that name, no such cutout kind, no such route.</li>
            <li><b>410</b> <code>{"error": "...", "retired_after_days": 365}</code>: a cutout this archive no longer keeps (its retention retired it after that many days); the alert and its data remain.</li>
            <li><b>401</b> <code>{"error": "...", "parameter": "token"}</code>: an API token that is unknown or revoked.</li>
            <li><b>405</b>: a method the route does not take (the <code>Allow</code> header lists those it does).</li>
            <li><b>413</b>: a POST body over 64 kB.</li>
            <li><b>429</b> <code>{"error": "...", "retry_after": 120}</code>: the rate limit is reached; wait <code>Retry-After</code> seconds.</li>
            <li><b>503</b> from <code>/health</code> when the database does not answer.</li>
            </ul>
            <pre>$ curl -s "$BASE/?rb__gte=abc&amp;format=json"
            {"error":"rb__gte must be a decimal number, not 'abc'","parameter":"rb__gte"}     # HTTP 400
            $ curl -s "$BASE/9999/?format=json"
            {"error":"no alert with id 9999"}     # HTTP 404</pre>
            <h2 id="examples">Examples</h2>
            <pre>BASE=http://127.0.0.1:8080
            # the newest 100 alerts with a real-bogus score of at least 0.9, as JSON
            curl -s "$BASE/?rb__gte=0.9&amp;format=json"
            # everything of one object, oldest first
            curl -s "$BASE/?objectId=ZTF17aabtdps&amp;sort_value=jd&amp;sort_order=asc&amp;format=json"
            # within 0.2 degrees of a position, in g, brighter than 19, observed in November 2018
            curl -s "$BASE/?cone=14.5,-7.3,0.2&amp;filter=g&amp;magpsf__lte=19&amp;time__gt=2018-11-01&amp;time__lt=2018-12-01&amp;format=json"
            # the next page: follow "next" until it is null
            curl -s "$BASE/?rb__gte=0.9&amp;format=json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next"])'
            # one alert, its light curve, its difference image as FITS and as PNG, the packet
            curl -s "$BASE/76/?format=json"
            curl -s "$BASE/76/photometry/?format=json"
            curl -s -OJ "$BASE/76/cutout/Difference/"
            curl -s -o difference.png "$BASE/76/cutout/Difference/?format=png"
            curl -s -OJ "$BASE/76/avro/"
            # the newest alert, and whether the service is up
            curl -s "$BASE/latest/?format=json"
            curl -s "$BASE/health"</pre>

            """)
        }
    }

    /// `where=`: the grammar, the functions, missing values, the limits and examples.
    private static func writeExpressionHelp(into html: inout HTMLWriter) {
        let limits = ListingQuery.expressionLimits
        html.raw("""
        <h2 id="expressions">Expressions (where=)</h2>
        <p><code>where=</code> takes a condition over the alert's fields, for what the filters above cannot say:
        arithmetic, OR, NOT, lists. It works on <code>GET /</code>, in each bulk query and in the form's
        <b>where</b> box, combines with the other filters by AND, and pages, sorts and counts as they do
        (the <code>next</code> and <code>previous</code> links keep it).</p>
        <pre>curl -s "$BASE/?format=json" --data-urlencode "where=magpsf - magap &lt; 0.5 AND (filter = 'g' OR rb &gt;= 0.9)" -G</pre>
        <dl class="facts">
        <dt>names</dt><dd>Every field of <a href="#fields"><code>candidate</code></a> by its ZTF name (<code>magpsf</code>, <code>distnr</code>,
        <code>ssdistnr</code>, <code>isdiffpos</code>, ...), the derived <code>l</code>, <code>b</code>, <code>deltamaglatest</code> and
        <code>deltamagref</code>, <code>objectId</code> and <code>publisher</code>; <code>wall_time</code>, the observation time, compared with
        ISO times (as jd); and <code>filter</code>, compared with <code>'g'</code>, <code>'r'</code> or <code>'i'</code> (as fid).
        An unknown name is an error that suggests the closest ones.</dd>
        <dt>values</dt><dd>Numbers (<code>19</code>, <code>-0.5</code>, <code>1e-3</code>), quoted strings (<code>'ZTF18abcdefg'</code>;
        <code>''</code> is a quote inside one) and ISO dates or date-times, bare or quoted
        (<code>2018-06-01</code>, <code>'2018-06-01T04:05:06Z'</code>; UTC unless they say otherwise).</dd>
        <dt>comparisons</dt><dd><code>=</code>, <code>!=</code> (or <code>&lt;&gt;</code>), <code>&lt;</code>, <code>&lt;=</code>, <code>&gt;</code>,
        <code>&gt;=</code>; <code>x BETWEEN a AND b</code> (both ends included); <code>x IN (a, b, ...)</code>;
        <code>x IS NULL</code>, <code>x IS NOT NULL</code>; <code>text LIKE 'pattern'</code> (text fields only: <code>%</code> any run
        of characters, <code>_</code> one character, <code>\\</code> escapes them); <code>NOT</code> before BETWEEN, IN and LIKE.
        Text is compared with text, numbers with numbers, <code>wall_time</code> with times, <code>filter</code> with filters
        (= and != only).</dd>
        <dt>arithmetic</dt><dd><code>+ - * /</code> and unary minus on numbers, in double precision; a division by zero has no value.</dd>
        <dt>functions</dt><dd><code>abs(x)</code>; <code>sqrt(x)</code> (no value below 0); <code>log10(x)</code> (no value at or below 0);
        <code>cone(ra, dec, radius)</code>, a condition: the alert lies within <code>radius</code> degrees of
        (<code>ra</code>, <code>dec</code>), all three numbers in degrees, as <code>cone=</code> (q3c).</dd>
        <dt>logic</dt><dd><code>AND</code>, <code>OR</code>, <code>NOT</code> and parentheses; NOT binds tightest, then AND, then OR.
        Keywords and function names may be written in any case.</dd>
        <dt>missing values</dt><dd>NULL, NaN and ZTF's sentinels (<a href="#missing">-999 and -99 in the fields listed there</a>)
        are no value, as SQL's NULL: a comparison with no value is neither true nor false, so neither
        <code>distnr &lt; 1</code> nor <code>NOT distnr &lt; 1</code> selects an alert without a distnr; arithmetic and functions of no
        value have none; <code>distnr IS NULL</code> selects exactly those alerts.</dd>
        <dt>limits</dt><dd>At most \(limits.maxLength) characters, nesting \(limits.maxDepth) levels deep; at most
        \(ListingQuery.maxFilters) terms (comparisons, BETWEEN, IN, LIKE, IS NULL and function calls), counted together
        with the query's other filters; at most \(ListingQuery.maxCones) cones, <code>cone()</code>, <code>cone=</code> and <code>objectcone=</code> together
        (each costs milliseconds of planning). A mistake is a 400 whose message names the character at fault,
        e.g. <code>where: at character 11: expected a value after '&gt;='</code>.</dd>
        </dl>
        <p>Examples:</p>
        <pre>magpsf &lt; 19 AND rb &gt;= 0.9
        magpsf - magap &lt; 0.5 AND NOT distnr &lt; 1
        filter IN ('g', 'r') AND wall_time BETWEEN 2018-11-01 AND 2018-12-01
        objectId LIKE 'ZTF18%' AND isdiffpos = 't'
        distnr IS NULL OR distnr &gt; 2
        ssdistnr BETWEEN 0 AND 5 AND ssmagnr &lt; 20
        abs(deltamaglatest) &gt; 1 OR log10(fwhm) &gt; 0.5
        cone(14.5, -7.3, 0.2) OR cone(179.64, 52.03, 0.01)</pre>

        """)
    }

    /// `a, b, c.` with each name as code, closing the paragraph.
    private static func writeCodeList(_ names: [String], into html: inout HTMLWriter) {
        for (index, name) in names.enumerated() {
            if index > 0 { html.raw(", ") }
            html.raw("<code>")
            html.text(name)
            html.raw("</code>")
        }
        html.raw(".</p>\n")
    }

    private static func writeLimitsHelp(_ limits: RateLimiter.Settings?, into html: inout HTMLWriter) {
        html.raw("<h2 id=\"limits\">Rate limits</h2>\n")
        guard let limits else {
            html.raw("<p>This server does not limit requests.</p>\n")
            return
        }
        let api = limits.budget, cutout = limits.budget.scaled(by: limits.cutoutFactor)
        func budget(_ b: Budget) -> String {
            "\(Int(b.burst)) requests at once, then one every \(Format.seconds(b.interval))"
        }
        html.raw("""
        <p>Each client (its address; behind this site's proxy, the address the proxy saw) has a budget of
        \(budget(api)): a script may page through \(Int(api.burst)) pages at once, then should poll no more often
        than every \(Format.seconds(api.interval)). Every request counts, except \(freeRoutes). Cutout images (<code>/&lt;id&gt;/cutout/&lt;kind&gt;/</code>)
        draw on a separate budget of \(budget(cutout)), so that viewing an alert's page costs one request,
        not four. The budgets are the same on every server of this site.</p>
        <p>Every counted response says where the client stands: <code>RateLimit-Limit</code> (the burst),
        <code>RateLimit-Remaining</code> (requests left now), <code>RateLimit-Reset</code> (seconds until the budget
        is full again) and <code>RateLimit-Policy</code>. Past the budget the answer is <b>429</b> with
        <code>Retry-After</code>: the seconds to wait before the next request will be served.</p>
        <p>An API token carries a budget of its own, set by the operator (<code>alertdb token add</code>). Send it as
        <code>Authorization: Token adb_...</code> (or <code>?token=adb_...</code>, which links do not repeat).</p>

        """)
    }

    /// The routes free of rate limiting, as a sentence: `<code>/health</code>, ... and <code>/help/</code>`.
    private static var freeRoutes: String {
        let codes = RouteDescription.freePaths.map { "<code>\(escapeHTML($0))</code>" }
        return codes.dropLast().joined(separator: ", ") + " and " + (codes.last ?? "")
    }

    private static func writeFilterHelp(_ catalogue: FilterCatalogue, into html: inout HTMLWriter) {
        html.raw("<h2 id=\"filters\">Filters</h2>\n<p>Every filter is a query parameter of <code>GET /</code> (and a key of a bulk query). They combine with AND. These are MARS's, the ones the form shows:</p>\n")
        html.raw("<div class=\"scroll\"><table class=\"filters-help\"><thead><tr><th>parameter</th><th>column</th><th>value</th><th>meaning</th></tr></thead><tbody>\n")
        for spec in catalogue.filters where spec.isMARS {
            html.raw("<tr><td class=\"mono\">")
            html.text(spec.parameter)
            html.raw("</td><td class=\"mono\">")
            html.text(spec.op == .anyPS1Object ? "objectidps1/2/3" : (spec.op == .cone ? "ra, dec" : spec.column))
            html.raw("</td><td>")
            html.text(valueFormat(spec.type))
            html.raw("</td><td class=\"wrap\">")
            html.text(spec.help)
            html.raw("</td></tr>\n")
        }
        html.raw("</tbody></table></div>\n")

        // The generic filters come four to a column, so one row per column keeps the table short.
        var columns: [String] = []
        var byColumn: [String: [FilterSpec]] = [:]
        for spec in catalogue.filters where !spec.isMARS {
            if byColumn[spec.column] == nil { columns.append(spec.column) }
            byColumn[spec.column, default: []].append(spec)
        }
        guard !columns.isEmpty else { return }
        html.raw("<p>And for every numeric candidate column, <code>&lt;column&gt;__gt</code> (greater than), <code>__gte</code> (at least), <code>__lt</code> (less than) and <code>__lte</code> (at most), taking a decimal number; those MARS already names keep MARS's meaning. See <a href=\"#fields\">the fields</a> for what each column is.</p>\n")
        html.raw("<div class=\"scroll\"><table class=\"generic-filters\"><thead><tr><th>column</th><th>parameters</th></tr></thead><tbody>\n")
        for column in columns {
            html.raw("<tr><td class=\"mono\">")
            html.text(column)
            html.raw("</td><td class=\"wrap\">")
            for (index, spec) in byColumn[column, default: []].enumerated() {
                if index > 0 { html.raw(" ") }
                html.raw("<code>")
                html.text(spec.parameter)
                html.raw("</code>")
            }
            html.raw("</td></tr>\n")
        }
        html.raw("</tbody></table></div>\n")
    }

    private static func writeFieldHelp(_ candidateFields: [String], into html: inout HTMLWriter) {
        html.raw("<h2 id=\"fields\">Candidate fields</h2>\n<p>The fields of <code>candidate</code> (and the detail page's field table), after the ZTF alert schema:</p>\n")
        html.raw("<div class=\"scroll\"><table class=\"fields-help\"><thead><tr><th>field</th><th>meaning</th></tr></thead><tbody>\n")
        var undocumented: [String] = []
        for name in candidateFields {
            guard let doc = candidateFieldDocs[name] else {
                undocumented.append(name)
                continue
            }
            html.raw("<tr><td class=\"mono\">")
            html.text(name)
            html.raw("</td><td class=\"wrap\">")
            html.text(doc)
            html.raw("</td></tr>\n")
        }
        html.raw("</tbody></table></div>\n")
        if !undocumented.isEmpty {
            html.raw("<p>Also, as in the ZTF schema (magnitudes of the second and third nearest PS1 sources, calibration details and the like): ")
            writeCodeList(undocumented, into: &html)
        }
        writeMissingValueHelp(candidateFields, into: &html)
    }

    /// Which fields hold ZTF's "no value" numbers, and what each means there.
    private static func writeMissingValueHelp(_ candidateFields: [String], into html: inout HTMLWriter) {
        let sentinels = ZTFMissingValues.sentinels.map { Format.fixed($0, 0) }.joined(separator: " or ")
        html.raw("""
            <h3 id="missing">Missing values</h3>
            <p>ZTF writes \(sentinels) instead of null in these fields when it found nothing to measure. Filters,
            sorting and the pages treat those numbers, and NaN, as no value: <code>distnr__lte=1</code> does not
            match an alert whose <code>distnr</code> is \(Format.fixed(ZTFMissingValues.sentinels[0], 0)), and alerts without a value
            come last in either sort order. The JSON <code>candidate</code> and the Avro packet keep the packet's own numbers.</p>
            <div class="scroll"><table class="fields-help"><thead><tr><th>field</th><th>a sentinel means</th></tr></thead><tbody>

            """)
        for name in candidateFields {
            guard let meaning = ZTFMissingValues.columns[name] else { continue }
            html.raw("<tr><td class=\"mono\">")
            html.text(name)
            html.raw("</td><td class=\"wrap\">")
            html.text(meaning)
            html.raw("</td></tr>\n")
        }
        html.raw("</tbody></table></div>\n")
    }
}
