-- Rubin's fields under the names schemas 3.0 and 4.0 gave them (decl, midPointTai, psFlux,
-- filterName, ...; 7.3's is_negative) are stored from now on in the columns of their current
-- names (dec, midpointMjdTai, psfFlux, band; isNegative), where the listings' filters, cone,
-- order and light curves read them: Sources/Model/Records/RubinFieldNames.swift says which and
-- why. This moves the values of rows loaded before into the same columns, so that old and new
-- loads agree; the old columns stay, empty (a packet carrying both names keeps both).
-- The pairs are those of RubinFieldNames.swift when this migration was written.
DO $$
DECLARE
    t text;
    sets text;
    moved text;
BEGIN
    FOREACH t IN ARRAY ARRAY['dia_source', 'prv_dia_source', 'prv_dia_forced_source', 'dia_object'] LOOP
        -- Only the pairs whose both columns the table has; one UPDATE per table, one pass.
        SELECT string_agg(format('%I = coalesce(%I, %I), %I = CASE WHEN %I IS NULL THEN NULL ELSE %I END',
                                 p.current, p.current, p.old, p.old, p.current, p.old), ', '),
               string_agg(format('%I IS NOT NULL', p.old), ' OR ')
        INTO sets, moved
        FROM (VALUES
            ('midPointTai', 'midpointMjdTai'), ('filterName', 'band'), ('decl', 'dec'), ('declErr', 'decErr'),
            ('ra_decl_Cov', 'ra_dec_Cov'), ('totFlux', 'scienceFlux'), ('totFluxErr', 'scienceFluxErr'),
            ('diffFlux', 'snapDiffFlux'), ('diffFluxErr', 'snapDiffFluxErr'), ('is_negative', 'isNegative'),
            ('psFlux', 'psfFlux'), ('psFluxErr', 'psfFluxErr'), ('psRa', 'psfRa'), ('psDecl', 'psfDec'),
            ('psRaErr', 'psfRaErr'), ('psDeclErr', 'psfDecErr'), ('psFlux_psRa_Cov', 'psfFlux_psfRa_Cov'),
            ('psFlux_psDecl_Cov', 'psfFlux_psfDec_Cov'), ('psRa_psDecl_Cov', 'psfRa_psfDec_Cov'),
            ('psLnL', 'psfLnL'), ('psChi2', 'psfChi2'), ('psNdata', 'psfNdata'), ('trailDecl', 'trailDec'),
            ('trailDeclErr', 'trailDecErr'), ('trailFlux_trailDecl_Cov', 'trailFlux_trailDec_Cov'),
            ('trailRa_trailDecl_Cov', 'trailRa_trailDec_Cov'),
            ('trailDecl_trailLength_Cov', 'trailDec_trailLength_Cov'),
            ('trailDecl_trailAngle_Cov', 'trailDec_trailAngle_Cov'), ('dipMeanFlux', 'dipoleMeanFlux'),
            ('dipFluxDiff', 'dipoleFluxDiff'), ('dipRa', 'dipoleRa'), ('dipDecl', 'dipoleDec'),
            ('dipLength', 'dipoleLength'), ('dipAngle', 'dipoleAngle'), ('dipMeanFluxErr', 'dipoleMeanFluxErr'),
            ('dipFluxDiffErr', 'dipoleFluxDiffErr'), ('dipRaErr', 'dipoleRaErr'), ('dipDeclErr', 'dipoleDecErr'),
            ('dipLengthErr', 'dipoleLengthErr'), ('dipAngleErr', 'dipoleAngleErr'),
            ('dipMeanFlux_dipFluxDiff_Cov', 'dipoleMeanFlux_dipoleFluxDiff_Cov'),
            ('dipMeanFlux_dipRa_Cov', 'dipoleMeanFlux_dipoleRa_Cov'),
            ('dipMeanFlux_dipDecl_Cov', 'dipoleMeanFlux_dipoleDec_Cov'),
            ('dipMeanFlux_dipLength_Cov', 'dipoleMeanFlux_dipoleLength_Cov'),
            ('dipMeanFlux_dipAngle_Cov', 'dipoleMeanFlux_dipoleAngle_Cov'),
            ('dipFluxDiff_dipRa_Cov', 'dipoleFluxDiff_dipoleRa_Cov'),
            ('dipFluxDiff_dipDecl_Cov', 'dipoleFluxDiff_dipoleDec_Cov'),
            ('dipFluxDiff_dipLength_Cov', 'dipoleFluxDiff_dipoleLength_Cov'),
            ('dipFluxDiff_dipAngle_Cov', 'dipoleFluxDiff_dipoleAngle_Cov'),
            ('dipRa_dipDecl_Cov', 'dipoleRa_dipoleDec_Cov'), ('dipRa_dipLength_Cov', 'dipoleRa_dipoleLength_Cov'),
            ('dipRa_dipAngle_Cov', 'dipoleRa_dipoleAngle_Cov'),
            ('dipDecl_dipLength_Cov', 'dipoleDec_dipoleLength_Cov'),
            ('dipDecl_dipAngle_Cov', 'dipoleDec_dipoleAngle_Cov'),
            ('dipLength_dipAngle_Cov', 'dipoleLength_dipoleAngle_Cov'), ('dipLnL', 'dipoleLnL'),
            ('dipChi2', 'dipoleChi2'), ('dipNdata', 'dipoleNdata')
        ) AS p(old, current)
        WHERE EXISTS (SELECT 1 FROM information_schema.columns c WHERE c.table_schema = current_schema() AND c.table_name = t AND c.column_name = p.old)
          AND EXISTS (SELECT 1 FROM information_schema.columns c WHERE c.table_schema = current_schema() AND c.table_name = t AND c.column_name = p.current);
        IF sets IS NOT NULL THEN
            EXECUTE format('UPDATE %I SET %s WHERE %s', t, sets, moved);
        END IF;
    END LOOP;
END
$$;
