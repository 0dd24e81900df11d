import Store

extension Pages {
    /// The help page's section on Rubin's alerts: what is stored, the routes under `/rubin/`,
    /// their filters, and what differs from ZTF's.
    static func writeRubinHelp(into html: inout HTMLWriter) {
        html.raw("""
            <h2 id="rubin">Rubin alerts</h2>
            <p>Alerts of the Vera C. Rubin Observatory (LSST, schemas <code>lsst.vMAJOR_MINOR.alert</code> 3.0 to 11.x) are
            stored beside ZTF's, in tables named by Rubin's own terms (<code>dia_source</code>, <code>prv_dia_source</code>,
            <code>prv_dia_forced_source</code>, <code>dia_object</code>), and served under <a href="/rubin/">/rubin/</a>,
            HTML or JSON as the other pages. Every field keeps Rubin's name and type: times are MJD TAI as sent (pages show
            them in UTC), fluxes nJy of the difference image (<code>psfFlux</code>); <code>mag</code> is the AB magnitude
            31.4 − 2.5 log<sub>10</sub>(psfFlux), null when the flux is not positive.</p>
            <p>Filters of <code>GET /rubin/</code> and <code>GET /rubin/objects/</code>, combined with AND (at most \(ListingQuery.maxFilters)):
            every column of the table by its name for equality (<code>band=g</code>, <code>diaObjectId=…</code>), every number
            column with <code>__gt</code>, <code>__gte</code>, <code>__lt</code>, <code>__lte</code> (<code>reliability__gte=0.9</code>,
            <code>snr__gte=5</code>, <code>psfFlux__gte=5000</code>, <code>midpointMjdTai__gt=60924.3</code>), <code>cone=ra,dec,radius</code>
            (degrees), and <code>where=</code> with <a href="#expressions">the expression language</a> over the table's columns
            (<code>psfFlux &gt; 5000 AND band = 'i'</code>). NaN, which Rubin sends for what was not measured, matches no
            comparison. The alert listing is newest observation first (<code>midpointMjdTai</code> descending, ties by
            <code>diaSourceId</code>), the objects listing newest first by <code>diaObjectId</code>; <code>sort_value</code>
            names another number column and <code>sort_order</code> is <code>desc</code> (the default) or <code>asc</code>;
            a source without a value (null, NaN) comes last in either order. 100 a page: <code>page=N</code>, or the
            <code>cursor</code> of the <code>next</code> link. Both listings answer JSON, HTML, <code>format=csv</code> and
            <code>format=votable</code> (<a href="#formats">Tables</a>).</p>
            <p>Schemas 3.0 and 4.0 named some fields otherwise (<code>decl</code>, <code>midPointTai</code>,
            <code>filterName</code>, <code>psFlux</code>, the <code>ps…</code> and <code>dip…</code> models' fields,
            <code>totFlux</code>, <code>diffFlux</code>; 7.3 <code>is_negative</code>): they are stored and served under the
            current names (<code>dec</code>, <code>midpointMjdTai</code>, <code>band</code>, <code>psfFlux</code>,
            <code>psf…</code>, <code>dipole…</code>, <code>scienceFlux</code>, <code>snapDiffFlux</code>,
            <code>isNegative</code>), the same quantities in the same units, so every filter finds alerts of every version;
            <code>/rubin/&lt;diaSourceId&gt;/avro/</code> writes them back under their own. Fields whose meaning changed
            (<code>spuriousness</code>, <code>ccdVisitId</code>) keep their names.</p>
            <p><code>/rubin/&lt;diaSourceId&gt;/</code> is an alert with the history rows and forced photometry its packet
            carried; <code>/rubin/objects/&lt;diaObjectId&gt;/</code> an object's latest state and its light curve per band
            (u g r i z y), detections and forced photometry apart; <code>/rubin/&lt;diaSourceId&gt;/cutout/&lt;kind&gt;/</code>
            the stamp as received (FITS) or, with <code>format=png</code>, as an image.</p>

            """)
    }
}
