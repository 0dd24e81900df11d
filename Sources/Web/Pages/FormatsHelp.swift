import Model

extension Pages {
    /// The help page's section on tables (CSV, VOTable), compression and calls from other sites' pages.
    static func writeFormatsHelp(into html: inout HTMLWriter) {
        let sentinels = ZTFMissingValues.sentinels.map { Format.fixed($0, 0) }.joined(separator: " or ")
        html.raw("""
            <h2 id="formats">Tables: CSV and VOTable</h2>
            <p>The alert listing (<code>/</code>), the objects listing (<code>/objects/</code>), an object's page
            (<code>/objects/&lt;objectId&gt;/</code>) and photometry (<code>/&lt;id&gt;/photometry/</code>) also answer
            <code>format=csv</code> and <code>format=votable</code>, with every filter, sort, page and cursor the JSON takes.
            The rows are the JSON's results, flat: one per alert (<code>lco_id</code>, <code>objectId</code>, <code>publisher</code>,
            then every <code>candidate</code> field in the JSON's order), one per object (<code>objectId</code> and every figure),
            one per point of an object's light curve (<code>kind</code>, <code>lco_id</code> for stored alerts, then every field
            any point has), one per photometry point (<code>jd</code>, <code>filter</code>, <code>magpsf</code>,
            <code>sigmapsf</code>, <code>diffmaglim</code>, <code>isdiffpos</code>). Rubin's listings (<code>/rubin/</code>,
            <code>/rubin/objects/</code>) answer them too: a row per source or object, every scalar column under Rubin's name
            and the source's <code>mag</code>, reals with every digit the JSON has, units by Rubin's conventions (fluxes
            <code>nJy</code>, times <code>d</code> of MJD TAI with a <code>TIMESYS</code> naming TAI, positions <code>deg</code>) and a missing value (null, NaN) an
            empty cell (<a href="#rubin">Rubin alerts</a>). Other routes refuse these formats with a 400
            naming <code>format</code>; errors are JSON.</p>
            <ul>
            <li><b>CSV</b> (<code>text/csv; charset=utf-8</code>, RFC 4180): a header row of column names, then one line per row;
            numbers as in the JSON (doubles to 15 significant digits, so they read back as the same values).</li>
            <li><b>VOTable</b> 1.4 (<code>application/x-votable+xml</code>): one TABLE whose FIELDs give each column's datatype
            (<code>float</code> for the 4-byte columns, <code>double</code>, <code>long</code>, <code>char</code>, ...), unit
            (<code>deg</code>, <code>d</code>, <code>mag</code>, <code>pix</code>, <code>arcsec</code>) and UCD
            (<code>pos.eq.ra;meta.main</code>, <code>pos.eq.dec;meta.main</code>, <code>time.epoch</code>,
            <code>phot.mag;em.opt</code>, <code>stat.error;phot.mag</code>, <code>meta.id</code>, ...) and the field's
            description from <a href="#fields">Candidate fields</a>, so that astropy, TOPCAT or pyvo read them as quantities.</li>
            <li><b>Missing values</b> (null, NaN, ZTF's sentinels \(sentinels) in the columns listed under <a href="#fields">Candidate fields</a>,
            and <code>ssnamenr</code>'s <code>"null"</code>) are empty cells: empty in CSV, an empty <code>TD</code> in VOTable,
            which readers take as null (integer FIELDs also name their null value); the JSON's <code>candidate</code> keeps the
            packet's own numbers. Text has no null in either format: an empty text cell is missing.</li>
            <li><b>Pages</b>: the <code>next</code> and <code>previous</code> links of the JSON, in the same format, are in the
            <code>Link</code> header (<code>&lt;URL&gt;; rel="next"</code>, <code>&lt;URL&gt;; rel="prev"</code>); a VOTable
            also has them as <code>INFO name="next"</code> and <code>"previous"</code>, beside <code>count</code> and
            <code>count_is_estimate</code>. Each page is one request of the rate limit.</li>
            <li><b>Files</b>: <code>Content-Disposition</code> names them (<code>alerts.csv</code>, <code>objects.vot</code>,
            <code>lightcurve_ZTF18abomhfb.vot</code>), so <code>curl -O -J</code> saves them under that name.</li>
            </ul>
            <pre>curl 'http://127.0.0.1:8080/?format=csv&amp;rb__gte=0.8&amp;magpsf__lte=19'
            curl -G 'http://127.0.0.1:8080/' -d format=votable --data-urlencode 'where=(rb >= 0.7 or drb >= 0.9) and magpsf &lt; 18'
            curl 'http://127.0.0.1:8080/objects/?format=csv&amp;ndet__gte=10'
            curl -O -J 'http://127.0.0.1:8080/objects/ZTF18abomhfb/?format=votable'
            curl 'http://127.0.0.1:8080/1/photometry/?format=csv'
            curl -sI 'http://127.0.0.1:8080/?format=csv'    # its headers: Content-Type, Content-Disposition, Link</pre>
            <p>In Python, <code>pandas.read_csv("http://127.0.0.1:8080/?format=csv&amp;filter=g")</code> and
            <code>astropy.table.Table.read("http://127.0.0.1:8080/objects/ZTF18abomhfb/?format=votable", format="votable")</code>
            read them straight from the URL.</p>
            <h3 id="compression">Compression</h3>
            <p>Answers larger than \(Compression.minimumBytes) bytes are gzipped for clients that send
            <code>Accept-Encoding: gzip</code> (<code>gzip;q=0</code> refuses it), with <code>Content-Encoding: gzip</code> and
            <code>Vary: Accept-Encoding</code>; a page of 100 alerts shrinks about sixfold. Cutouts are sent as stored, never
            compressed twice. <code>curl --compressed</code>, browsers, Python's requests and pandas ask for it by themselves.</p>
            <h3 id="cors">Calls from other sites' pages (CORS)</h3>
            <p>Every answer to GET, HEAD and POST carries <code>Access-Control-Allow-Origin: *</code> (and exposes
            <code>Link</code>, <code>Content-Disposition</code> and the rate-limit headers), so that browser tools and hosted
            notebooks may call the API from their own pages. A preflight (<code>OPTIONS</code>) is answered 204 with
            <code>Access-Control-Allow-Methods: GET, POST, HEAD</code> and <code>Access-Control-Allow-Headers: Content-Type,
            Authorization</code>, free of the rate limit. The operator may name one origin instead, or none
            (<code>ALERTDB_CORS_ORIGIN</code>); with none, <code>OPTIONS</code> is a 405.</p>
            <pre>curl -s -i -X OPTIONS 'http://127.0.0.1:8080/' -H 'Origin: https://example.org' -H 'Access-Control-Request-Method: POST'   # HTTP 204</pre>

            """)
    }
}
