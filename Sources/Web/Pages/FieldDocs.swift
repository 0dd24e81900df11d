import Model

extension Pages {
    /// Short explanations of the ZTF candidate fields people filter and sort on most, after the
    /// ZTF alert schema's own documentation, plus the fields alertdb adds. Fields not named here
    /// are listed by name on the help page.
    static let candidateFieldDocs: [String: String] = [
        "candid": "ZTF candidate id: unique per alert (per detection).",
        "jd": "Julian date at the start of the exposure [days].",
        "fid": "Filter id: 1 = g, 2 = r, 3 = i.",
        "pid": "Processing id of the science image, for retrieving it from the ZTF archive.",
        "diffmaglim": "Expected 5σ limiting magnitude of the difference image [mag].",
        "pdiffimfilename": "File name of the difference image.",
        "programpi": "Principal investigator of the program.",
        "programid": "Program: 1 public, 2 partnership (collaboration), 3 Caltech.",
        "isdiffpos": "t: positive subtraction (brighter than the template); f: negative. Packets of some schema versions write 1 and 0; the pages, filters and photometry read them as t and f.",
        "tblid": "Internal pipeline extraction id.",
        "nid": "Night id.",
        "rcid": "Readout channel (quadrant) id, 0 to 63.",
        "field": "ZTF field id.",
        "xpos": "x position in the image [pixels].",
        "ypos": "y position in the image [pixels].",
        "ra": "Right ascension, J2000 [degrees].",
        "dec": "Declination, J2000 [degrees].",
        "magpsf": "Magnitude from PSF-fit photometry of the difference image [mag].",
        "sigmapsf": "1σ uncertainty of magpsf [mag].",
        "chipsf": "Reduced χ² of the PSF fit.",
        "magap": "Aperture magnitude, 14-pixel diameter aperture [mag].",
        "sigmagap": "1σ uncertainty of magap [mag].",
        "distnr": "Distance to the nearest source in the reference-image catalogue [pixels].",
        "magnr": "Magnitude of that nearest reference source [mag].",
        "sigmagnr": "1σ uncertainty of magnr [mag].",
        "chinr": "DAOPhot χ of the nearest reference source.",
        "sharpnr": "DAOPhot sharpness of the nearest reference source.",
        "sky": "Local sky background [DN].",
        "magdiff": "magap − magpsf [mag].",
        "fwhm": "Full width at half maximum, from SExtractor [pixels].",
        "classtar": "SExtractor star/galaxy score (1 star-like, 0 extended).",
        "mindtoedge": "Distance to the nearest image edge [pixels].",
        "magfromlim": "diffmaglim − magap [mag].",
        "seeratio": "FWHM of the difference image over fwhm.",
        "aimage": "Major axis RMS of the profile, from SExtractor [pixels].",
        "bimage": "Minor axis RMS of the profile, from SExtractor [pixels].",
        "aimagerat": "aimage / fwhm.",
        "bimagerat": "bimage / fwhm.",
        "elong": "Elongation: aimage / bimage.",
        "nneg": "Negative pixels in a 5×5 box around the candidate.",
        "nbad": "Bad (masked) pixels in a 5×5 box around the candidate.",
        "rb": "Real-bogus score of the random-forest classifier: 0 bogus to 1 real.",
        "ssdistnr": "Distance to the nearest known solar-system object within 30″ [arcsec]; −999 when none.",
        "ssmagnr": "Magnitude of that solar-system object [mag].",
        "ssnamenr": "Name of that solar-system object (MPC).",
        "sumrat": "sum(pixels) / sum(|pixels|) in a median-filtered 5×5 box: near 1 for a clean positive source.",
        "magapbig": "Aperture magnitude, 18-pixel diameter aperture [mag].",
        "sigmagapbig": "1σ uncertainty of magapbig [mag].",
        "ranr": "Right ascension of the nearest reference source [degrees].",
        "decnr": "Declination of the nearest reference source [degrees].",
        "sgmag1": "g magnitude of the nearest Pan-STARRS1 source within 30″ [mag] (sgmag2, sgmag3: second and third nearest).",
        "srmag1": "r magnitude of the nearest PS1 source [mag].",
        "simag1": "i magnitude of the nearest PS1 source [mag].",
        "szmag1": "z magnitude of the nearest PS1 source [mag].",
        "sgscore1": "Star/galaxy score of the nearest PS1 source: 1 star, 0 galaxy.",
        "distpsnr1": "Distance to the nearest PS1 source [arcsec].",
        "objectidps1": "PS1 object id of the nearest PS1 source (objectidps2, objectidps3: second and third).",
        "objectidps2": "PS1 object id of the second nearest PS1 source.",
        "objectidps3": "PS1 object id of the third nearest PS1 source.",
        "sgscore2": "Star/galaxy score of the second nearest PS1 source.",
        "distpsnr2": "Distance to the second nearest PS1 source [arcsec].",
        "sgscore3": "Star/galaxy score of the third nearest PS1 source.",
        "distpsnr3": "Distance to the third nearest PS1 source [arcsec].",
        "nmtchps": "Number of PS1 sources within 30″.",
        "ndethist": "Detections within 1.5″ since the survey began (same field and readout channel).",
        "ncovhist": "Times the position was observed since the survey began.",
        "jdstarthist": "Julian date of the first of the ndethist detections [days].",
        "jdendhist": "Julian date of the last of the ndethist detections [days].",
        "scorr": "Peak signal-to-noise in the matched-filter detection image.",
        "tooflag": "1 when the exposure was a target-of-opportunity observation.",
        "rfid": "Processing id of the reference image.",
        "jdstartref": "Julian date of the first exposure in the reference image [days].",
        "jdendref": "Julian date of the last exposure in the reference image [days].",
        "nframesref": "Number of exposures stacked into the reference image.",
        "rbversion": "Version of the rb classifier.",
        "dsnrms": "D / stddev(D) at the position, D the difference image.",
        "ssnrms": "S / stddev(S) at the position, S the difference image convolved with its PSF.",
        "dsdiff": "dsnrms − ssnrms.",
        "magzpsci": "Photometric zero point of the science image [mag].",
        "magzpsciunc": "Uncertainty of magzpsci [mag].",
        "magzpscirms": "RMS of the zero-point calibration residuals [mag].",
        "nmatches": "PS1 calibrators used for the zero point.",
        "clrcoeff": "Colour coefficient of the photometric calibration.",
        "clrcounc": "Uncertainty of clrcoeff.",
        "neargaia": "Distance to the nearest Gaia DR1 source within 90″ [arcsec].",
        "neargaiabright": "Distance to the nearest Gaia source brighter than 14 mag [arcsec].",
        "maggaia": "Gaia G magnitude of the nearest Gaia source [mag].",
        "maggaiabright": "Gaia G magnitude of the nearest bright Gaia source [mag].",
        "exptime": "Exposure time [s].",
        "drb": "Real-bogus score of the deep-learning classifier: 0 bogus to 1 real.",
        "drbversion": "Version of the drb classifier.",
        "l": "Galactic longitude [degrees], computed from ra, dec at ingest (alertdb).",
        "b": "Galactic latitude [degrees], computed at ingest (alertdb).",
        "deltamaglatest": "magpsf minus the magpsf of the latest earlier detection in the same filter (alertdb; MARS's Δmaglatest).",
        "deltamagref": "magnr − magpsf when 0 ≤ distnr < 2 pixels (a reference source is that close), else null (alertdb; MARS's Δmagref).",
        "wall_time": "The observation time (jd) as an ISO 8601 UTC date-time.",
        "filter": "The filter as a letter: g, r or i (from fid).",
    ]

    /// The VOUnit of each unit the docs above give in brackets ("[degrees]"): the unit of a
    /// field in the VOTable answers. DN (detector counts) has no VOUnit, so no unit is said.
    private static let voUnits = ["days": "d", "degrees": "deg", "mag": "mag", "pixels": "pix", "arcsec": "arcsec", "s": "s"]

    /// The VOUnit of candidate field `name`, read from its doc's bracketed unit; nil when it has none.
    static func candidateFieldUnit(_ name: String) -> String? {
        guard let doc = candidateFieldDocs[name], let open = doc.firstIndex(of: "["),
              let close = doc[open...].firstIndex(of: "]") else { return nil }
        return voUnits[String(doc[doc.index(after: open)..<close])]
    }

    /// UCD1+ words (IVOA's vocabulary of what a value is) of the candidate fields a VOTable
    /// reader looks for: positions, times, magnitudes and their errors, identifiers, filters.
    /// Fields not named here have no UCD.
    static let candidateFieldUCDs: [String: String] = {
        var ucds = [
            "objectId": "meta.id;meta.main", "lco_id": "meta.id", "candid": "meta.id", "pid": "meta.id", "publisher": "meta.note",
            "ra": "pos.eq.ra;meta.main", "dec": "pos.eq.dec;meta.main", "ranr": "pos.eq.ra", "decnr": "pos.eq.dec",
            "l": "pos.galactic.lon", "b": "pos.galactic.lat",
            "jd": "time.epoch;meta.main", "wall_time": "time.epoch", "jdstarthist": "time.epoch", "jdendhist": "time.epoch",
            "jdstartref": "time.epoch", "jdendref": "time.epoch", "exptime": "time.duration;obs.exposure",
            "fid": "meta.id;instr.filter", "filter": "meta.id;instr.filter",
            "magpsf": "phot.mag;em.opt", "sigmapsf": "stat.error;phot.mag", "diffmaglim": "phot.mag;stat.max",
            "magzpsci": "phot.mag;arith.zp", "magdiff": "phot.mag;arith.diff", "magfromlim": "phot.mag;arith.diff",
            "deltamaglatest": "phot.mag;arith.diff", "deltamagref": "phot.mag;arith.diff",
            "classtar": "src.class.starGalaxy", "objectidps1": "meta.id.cross", "objectidps2": "meta.id.cross", "objectidps3": "meta.id.cross",
        ]
        for name in ["magap", "magapbig", "magnr", "ssmagnr", "maggaia", "maggaiabright"] { ucds[name] = "phot.mag;em.opt" }
        for name in ["sigmagap", "sigmagapbig", "sigmagnr"] { ucds[name] = "stat.error;phot.mag" }
        for band in ["g", "r", "i", "z"] {
            ucds["s\(band)mag"] = "phot.mag;em.opt"
            for rank in 1...3 { ucds["s\(band)mag\(rank)"] = "phot.mag;em.opt" }
        }
        for rank in 1...3 { ucds["sgscore\(rank)"] = "src.class.starGalaxy" }
        return ucds
    }()
}
