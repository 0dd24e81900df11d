import Model
import Store

extension Pages {
    /// The help page's section on objects: what each figure is, the filters and sorting of
    /// `/objects/`, the JSON shapes and the redirect from `/<objectId>/`.
    static func writeObjectHelp(into html: inout HTMLWriter) {
        html.raw("""
            <h2 id="objects">Objects</h2>
            <p><a href="/objects/">The objects listing</a> has one row per ZTF object with figures kept up to date by every
            load (files, archives and the live stream alike), so listing and filtering them costs what listing alerts costs.
            A <em>detection</em> is a stored alert or a detection carried in an alert's history (<code>prv_candidates</code>),
            each once: a history detection whose candid is a stored alert is that alert. Missing values (NaN, ZTF's
            sentinels) count nowhere, and a figure nothing measured (no detection in i) is null.</p>
            <div class="scroll"><table class="fields-help"><thead><tr><th>figure</th><th>meaning</th></tr></thead><tbody>

            """)
        for column in ObjectCatalogue.columns {
            html.raw("<tr><td class=\"mono\">")
            html.text(column.name)
            html.raw("</td><td class=\"wrap\">")
            html.text(column.help)
            html.raw("</td></tr>\n")
        }
        html.raw("</tbody></table></div>\n<p>Filters of <code>GET /objects/</code>, combined with AND (at most \(ListingQuery.maxFilters)): <code>cone=ra,dec,radius</code> (degrees, on the mean position), and for every numeric figure ")
        html.raw("<code>&lt;figure&gt;__gt</code>, <code>__gte</code>, <code>__lt</code> and <code>__lte</code>, e.g. <code>ndet__gte=5</code>, <code>lastjd__gt=2458400.5</code>, <code>brightest_r__lte=17</code>; and <code>where=</code>, an <a href=\"#expressions\">expression</a> over the figures by name, e.g. <code>where=ndet &gt;= 3 AND (brightest_g &lt; 18 OR brightest_r &lt; 18)</code>. ")
        html.raw("<code>sort_value</code> is one of ")
        for (index, name) in ObjectCatalogue.sortValues.enumerated() {
            if index > 0 { html.raw(", ") }
            html.raw("<code>")
            html.text(name)
            html.raw("</code>")
        }
        html.raw("""
             (default <code>lastjd</code>, the most recently detected first), <code>sort_order</code> <code>desc</code> or
            <code>asc</code>; objects without the figure come last in both orders, ties go by objectId. Pages, cursors, counts
            and errors work as for alerts (<a href="#pagination">Pagination</a>).</p>
            <p>JSON: <code>{"has_next", "has_prev", "count", "count_is_estimate", "pages", "next", "previous", "results": [OBJECT, ...]}</code>,
            an OBJECT being <code>{"objectId", "url", every figure above by name, "latest_alert"}</code> (<code>latest_alert</code>: the URL of
            the latest alert's page). <code>/objects/&lt;objectId&gt;/?format=json</code> is the OBJECT with <code>lightcurve</code>: every
            alert (<code>"kind": "alert"</code>, with its <code>lco_id</code>), history detection (<code>"detection"</code>) and
            non-detection (<code>"nondetection"</code>) of the object, each once, by jd, each with its <code>candidate</code> fields as in
            the detail's <code>prv_candidate</code>. The name may be given in any letter case. <code>/&lt;objectId&gt;/</code>, e.g.
            <code>/ZTF18abcdefg/</code>, is a permanent redirect (301) there, keeping the query. Both also answer
            <code>format=csv</code> and <code>format=votable</code>: a row per object, and a row per point of the light curve
            (<a href="#formats">CSV and VOTable</a>).</p>
            <pre>curl -s "$BASE/objects/?ndet__gte=10&amp;brightest_r__lte=18&amp;format=json"
            curl -s "$BASE/objects/?cone=13.6,-6.3,0.2&amp;format=json"
            curl -s "$BASE/objects/ZTF18abomhfb/?format=json"</pre>

            """)
    }
}
