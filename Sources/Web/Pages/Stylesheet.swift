import Model

extension Pages {
    /// The one stylesheet every page embeds: system fonts, compact tables that scroll
    /// sideways on narrow screens, nothing fetched from the network.
    static let stylesheet = """
    :root{color-scheme:light;--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#fff;--band:#f5f7fa;--accent:#1f5fbf;--bad:#b3261e;--badbg:#fdecea}
    *{box-sizing:border-box}
    html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif;font-size:15px;line-height:1.45;color:var(--fg);background:var(--bg)}
    body{margin:0}
    a{color:var(--accent);text-decoration:none}
    a:hover{text-decoration:underline}
    code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace;font-size:.9em}
    pre{background:var(--band);border:1px solid var(--line);border-radius:4px;padding:.6rem .8rem;overflow-x:auto}
    header.site{display:flex;flex-wrap:wrap;align-items:baseline;gap:.4rem 1.2rem;padding:.6rem 1rem;border-bottom:1px solid var(--line);background:var(--band)}
    header.site .brand{font-weight:700;font-size:1.15rem;color:var(--fg)}
    header.site nav{display:flex;gap:1rem;align-items:baseline}
    header.site nav .survey{color:#666;font-size:.8em;font-weight:bold;margin-left:.75rem}
    header.site .latest{margin-left:auto;color:var(--muted);font-size:.9rem}
    main{padding:.8rem 1rem 2rem;max-width:1400px}
    h1{font-size:1.35rem;margin:.3rem 0 .6rem}
    h2{font-size:1.1rem;margin:1.4rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
    h3{font-size:1rem;margin:1rem 0 .4rem}
    .muted{color:var(--muted)}
    .error{border:1px solid var(--bad);background:var(--badbg);color:var(--bad);padding:.6rem .8rem;border-radius:4px;margin:.6rem 0;font-weight:600}
    form.filters{border:1px solid var(--line);border-radius:4px;padding:.6rem .8rem;background:var(--band)}
    form.filters .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(11.5rem,1fr));gap:.35rem .8rem}
    form.filters label{display:flex;flex-direction:column;font-size:.8rem;color:var(--muted)}
    form.filters input,form.filters select{font:inherit;font-size:.9rem;padding:.15rem .3rem;border:1px solid #b8bfcc;border-radius:3px;background:#fff;color:var(--fg);min-width:0}
    form.filters .invalid input,form.filters .invalid select{border:2px solid var(--bad);background:var(--badbg)}
    form.filters .invalid{color:var(--bad);font-weight:600}
    form.filters .expression{margin-top:.5rem}
    form.filters textarea{font:.9rem ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:.2rem .3rem;border:1px solid #b8bfcc;border-radius:3px;background:#fff;color:var(--fg);width:100%;box-sizing:border-box;resize:vertical}
    form.filters .invalid textarea{border:2px solid var(--bad);background:var(--badbg)}
    form.filters .field-error{color:var(--bad);font-weight:600;font-size:.85rem;margin:.2rem 0 0}
    form.filters .actions{display:flex;flex-wrap:wrap;align-items:end;gap:.8rem;margin-top:.6rem}
    button{font:inherit;padding:.25rem 1rem;border:1px solid var(--accent);background:var(--accent);color:#fff;border-radius:3px;cursor:pointer}
    .summary{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:baseline;margin:.8rem 0 .4rem}
    .summary .count{font-weight:600}
    .scroll{overflow-x:auto;max-width:100%;border:1px solid var(--line);border-radius:4px}
    table{border-collapse:collapse;font-size:.88rem;width:100%}
    th,td{padding:.2rem .5rem;text-align:left;white-space:nowrap;border-bottom:1px solid var(--line)}
    th{background:var(--band);font-weight:600;position:sticky;top:0}
    tbody tr:nth-child(even){background:#fafbfc}
    tbody tr:hover{background:#eef3fb}
    td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
    td.wrap{white-space:normal}
    .pager{display:flex;gap:1rem;margin:.6rem 0}
    .pager .disabled{color:var(--muted)}
    dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(20rem,1fr));gap:.15rem 1.5rem;margin:.4rem 0}
    dl.facts div{display:flex;gap:.6rem;min-width:0}
    @media (max-width:40rem){main{padding:.6rem .5rem 1.5rem}}
    dl.facts dt{color:var(--muted);min-width:6rem}
    dl.facts dd{margin:0;font-variant-numeric:tabular-nums;overflow-wrap:break-word;min-width:0}
    table.fields{width:auto;min-width:min(100%,40rem)}
    .cutouts{display:flex;flex-wrap:wrap;gap:1rem}
    .cutouts figure{margin:0;text-align:center}
    .cutouts img{width:200px;height:200px;image-rendering:pixelated;background:#222;border:1px solid var(--line);display:block}
    .cutouts figcaption{font-size:.85rem;margin-top:.2rem}
    .lightcurve svg{width:100%;max-width:900px;height:auto;border:1px solid var(--line);border-radius:4px;background:#fff}
    .links{display:flex;flex-wrap:wrap;gap:.3rem 1rem}
    footer{padding:.6rem 1rem;color:var(--muted);font-size:.8rem;border-top:1px solid var(--line)}
    """
}
