//! The report as one self-contained HTML page (no network: images inline as
//! data URIs): per bidder the answer per required standard, then each
//! certificate with its verdict and reasons, its page pictures with the
//! evidence boxes drawn (the boxes of the fields a finding rests on in red),
//! and crops of those fields. Printable to PDF from a browser for the
//! committee file.

use super::{pages_text, BidderRow, Report};
use crate::discover::{discover, read_bytes};
use crate::load::Document;
use crate::model::{Certificate, PageSize, Record, Validation};
use crate::texts::{Lang, Texts};
use base64::Engine as _;
use image::{DynamicImage, GenericImageView};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Longest side of a page picture in the report, in pixels.
const PICTURE_LONG_SIDE: u32 = 1400;

pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

fn tr(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

/// Finds the document of a line's `input` ("a/b.pdf", "pkg.zip!dir/c.pdf")
/// under `root` (the folder the scan ran in).
fn open_input(input: &str, root: &Path) -> Result<Document, String> {
    let resolve = |p: &str| -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            root.join(p)
        }
    };
    let (path, member) = match input.split_once('!') {
        Some((archive, member)) if resolve(archive).is_file() => (resolve(archive), Some(member)),
        _ => (resolve(input), None),
    };
    let found = discover(std::slice::from_ref(&path), None);
    let input_ref = match member {
        None => found.inputs.into_iter().next(),
        Some(m) => found
            .inputs
            .into_iter()
            .find(|i| i.display.split_once('!').map(|x| x.1) == Some(m)),
    }
    .ok_or_else(|| format!("{} is not found", path.display()))?;
    let bytes = read_bytes(&input_ref).map_err(|e| e.message)?;
    Document::open(bytes).map_err(|e| e.message)
}

/// Opens each input once for its certificates' pictures (a document's
/// certificates are consecutive lines).
struct Inputs<'a> {
    root: &'a Path,
    last: Option<(String, Result<Document, String>)>,
}

impl Inputs<'_> {
    fn doc(&mut self, input: &str) -> &Result<Document, String> {
        if self.last.as_ref().map(|l| l.0.as_str()) != Some(input) {
            self.last = Some((input.to_string(), open_input(input, self.root)));
        }
        &self.last.as_ref().expect("just set").1
    }
}

/// A page picture in the frame of its boxes: turned as the reading turned
/// it, scaled to at most [`PICTURE_LONG_SIDE`].
fn picture(doc: &Document, size: &PageSize) -> Result<Option<DynamicImage>, String> {
    let Some(img) = doc
        .page_image(size.page.saturating_sub(1) as usize)
        .map_err(|e| e.message)?
    else {
        return Ok(None);
    };
    let img = match size.rotated {
        90 => img.rotate90(),
        180 => img.rotate180(),
        270 => img.rotate270(),
        _ => img,
    };
    let (w, h) = img.dimensions();
    let long = w.max(h).max(1);
    Ok(Some(if long > PICTURE_LONG_SIDE {
        img.thumbnail(PICTURE_LONG_SIDE, PICTURE_LONG_SIDE)
    } else {
        img
    }))
}

fn jpeg_data_uri(img: &DynamicImage) -> Result<String, String> {
    let mut buf = std::io::Cursor::new(Vec::new());
    img.to_rgb8()
        .write_to(&mut buf, image::ImageFormat::Jpeg)
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(buf.into_inner())
    ))
}

const STYLE: &str = r#"
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","Microsoft YaHei",sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:19px;border-bottom:2px solid #446;padding-bottom:4px;margin-top:36px}
h3{font-size:16px;margin:0 0 8px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #bbb;padding:4px 8px;vertical-align:top;font-size:13px}
th{background:#d9e1f2;text-align:left}
.v{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:bold}
.valid{background:#c6efce}.limited{background:#ddebf7}.needs_review{background:#ffeb9c}
.invalid{background:#ffc7ce}.suspected_forgery{background:#ff8080}.not_submitted{background:#d9d9d9}
.cert{border:1px solid #999;border-radius:6px;padding:12px;margin:16px 0;page-break-inside:avoid}
.pages{display:flex;flex-wrap:wrap;gap:12px}
.page{position:relative;width:560px;max-width:100%;border:1px solid #666}
.page img{display:block;width:100%}
.page svg{position:absolute;left:0;top:0;width:100%;height:100%}
.box{fill:none;stroke:#1f5fbf;stroke-width:4}.box.hit{stroke:#d00000;stroke-width:9}
.crops{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.crop{border:2px solid #d00000;padding:2px;font-size:12px}.crop img{display:block;max-width:420px;max-height:160px}
.missing{color:#a00;font-style:italic}
.meta{color:#666;font-size:12px}
@media print{body{margin:8mm}.cert{break-inside:avoid}h2{break-before:page}}
"#;

/// Marks in `<body>` how many pictures loaded (for the reader and the tests):
/// a picture that fails to show is framed in red.
const SCRIPT: &str = r#"
window.addEventListener('load',function(){
 var im=document.querySelectorAll('img'),ok=0;
 im.forEach(function(i){if(i.complete&&i.naturalWidth>0){ok++}else{i.style.outline='4px solid red'}});
 document.body.setAttribute('data-images-total',im.length);
 document.body.setAttribute('data-images-loaded',ok);
});
"#;

/// Writes the report as HTML; `root` is the folder the results' input paths
/// are relative to.
pub fn write(report: &Report, lang: Lang, root: &Path, generated: &str) -> String {
    let t = Texts::bundled();
    let mut inputs = Inputs { root, last: None };
    let mut o = String::new();
    let title = tr(lang, "证书核查报告", "Certificate screening report");
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{STYLE}</style><script>{SCRIPT}</script></head><body>\n<h1>{title}</h1>\n<p class=\"meta\">{}</p>",
        if lang == Lang::Zh { "zh-CN" } else { "en" },
        esc(generated)
    );
    // The verdicts and what to do with each.
    let _ = write!(
        o,
        "<table><tr><th>{}</th><th>{}</th></tr>",
        tr(lang, "结论", "Verdict"),
        tr(lang, "处理", "What to do")
    );
    for k in crate::texts::VERDICT_KEYS {
        let _ = write!(
            o,
            "<tr><td><span class=\"v {k}\">{}</span></td><td>{}</td></tr>",
            esc(t.verdict_key(k, lang)),
            esc(t.advice(k, lang))
        );
    }
    o.push_str("</table>\n");
    // Bidders.
    for b in &report.bidders {
        let _ = write!(
            o,
            "<h2>{} {}</h2>",
            esc(&b.bidder),
            b.organization
                .as_deref()
                .filter(|org| *org != b.bidder)
                .map(|org| format!("<span class=\"meta\">{}</span>", esc(org)))
                .unwrap_or_default()
        );
        answers_table(&mut o, report, b, lang);
        let _ = write!(
            o,
            "<p>{}: <b>{}</b></p>",
            tr(
                lang,
                "双认证（ISO/IEC 20000-1 与 ISO/IEC 27001 均有效）",
                "Dual certified (ISO/IEC 20000-1 and ISO/IEC 27001 both valid)"
            ),
            if b.dual {
                tr(lang, "是", "yes")
            } else {
                tr(lang, "否", "no")
            }
        );
        if !b.errors.is_empty() {
            let _ = write!(
                o,
                "<p class=\"missing\">{}: {}</p>",
                tr(
                    lang,
                    "读取出错的文件（证书可能在其中，请人工查看）",
                    "Files that could not be read (a certificate may be in them: check by hand)"
                ),
                esc(&b.errors.join(", "))
            );
        }
        for c in report
            .certs
            .iter()
            .filter(|c| c.bidder.as_deref() == Some(b.bidder.as_str()))
        {
            certificate(&mut o, c.line, &c.record, c.other_org, lang, &mut inputs);
        }
    }
    // Certificates that belong to no bidder.
    let loose: Vec<_> = report.certs.iter().filter(|c| c.bidder.is_none()).collect();
    if !loose.is_empty() {
        let _ = write!(
            o,
            "<h2>{}</h2>",
            tr(lang, "未归属投标人的证书", "Certificates of no bidder")
        );
        for c in loose {
            certificate(&mut o, c.line, &c.record, c.other_org, lang, &mut inputs);
        }
    }
    o.push_str("</body></html>\n");
    o
}

/// A bidder's answer per required standard: the verdict, the number and
/// the file and pages of the certificate it rests on.
fn answers_table(o: &mut String, report: &Report, b: &BidderRow, lang: Lang) {
    let t = Texts::bundled();
    let _ = write!(
        o,
        "<table class=\"answers\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        tr(lang, "要求的标准", "Required standard"),
        tr(lang, "结论", "Verdict"),
        tr(lang, "证书编号", "Certificate number"),
        tr(lang, "文件与页码", "File and pages")
    );
    for a in &b.answers {
        let key = a.verdict_key(report);
        let (num, file) = match a.best.map(|i| &report.certs[i]) {
            Some(c) => (
                c.record
                    .certificate
                    .as_ref()
                    .and_then(|x| x.certificate_number.clone())
                    .unwrap_or_default(),
                format!(
                    "<a href=\"#c{}\">{} p.{}</a>{}",
                    c.line,
                    esc(&c.record.input),
                    pages_text(&c.record),
                    if c.other_org {
                        format!(
                            " <b>{}</b>",
                            tr(
                                lang,
                                "（其他组织的证书）",
                                "(another organisation's certificate)"
                            )
                        )
                    } else {
                        String::new()
                    }
                ),
            ),
            None => (String::new(), String::new()),
        };
        let _ = write!(
            o,
            "<tr><td>{}</td><td><span class=\"v {key}\">{}</span></td><td>{}</td><td>{file}</td></tr>",
            esc(&a.standard),
            esc(t.verdict_key(key, lang)),
            esc(&num)
        );
    }
    o.push_str("</table>\n");
}

/// The certificate's main fields, and the file and pages it was read from.
fn fields_table(o: &mut String, r: &Record, cert: &Certificate, lang: Lang) {
    let t = Texts::bundled();
    let rows: [(&str, Option<&str>); 8] = [
        ("organization_name", cert.organization_name.as_deref()),
        ("organization_name_en", cert.organization_name_en.as_deref()),
        (
            "unified_social_credit_code",
            cert.unified_social_credit_code.as_deref(),
        ),
        ("scope", cert.scope.as_deref()),
        (
            "certification_body.name",
            cert.certification_body.name.as_deref(),
        ),
        ("issue_date", cert.issue_date.as_deref()),
        ("expiry_date", cert.expiry_date.as_deref()),
        ("standard", cert.standard.as_deref()),
    ];
    o.push_str("<table>");
    for (k, val) in rows {
        if let Some(val) = val {
            let _ = write!(
                o,
                "<tr><th>{}</th><td>{}</td></tr>",
                esc(t.field(k, lang)),
                esc(val)
            );
        }
    }
    let _ = write!(
        o,
        "<tr><th>{}</th><td>{} p.{}</td></tr></table>",
        tr(lang, "文件与页码", "File and pages"),
        esc(&r.input),
        pages_text(r)
    );
}

/// The findings as a list; hands on the fields they rest on.
fn findings_list<'r>(o: &mut String, v: Option<&'r Validation>, lang: Lang) -> BTreeSet<&'r str> {
    let t = Texts::bundled();
    let mut hit: BTreeSet<&str> = BTreeSet::new();
    if let Some(v) = v {
        if !v.findings.is_empty() {
            o.push_str("<ul class=\"findings\">");
            for f in &v.findings {
                let text = match lang {
                    Lang::Zh if !f.message_zh.is_empty() => &f.message_zh,
                    _ => &f.message,
                };
                let _ = write!(
                    o,
                    "<li><span class=\"v {}\">{}</span> <b>{}</b> {} <span class=\"meta\">{}</span></li>",
                    f.severity.as_str(),
                    esc(t.verdict(f.severity, lang)),
                    esc(t.rule(f.code.as_str(), lang)),
                    esc(text),
                    esc(f.code.as_str())
                );
                hit.extend(f.fields.iter().map(String::as_str));
            }
            o.push_str("</ul>\n");
        }
    }
    hit
}

/// A page's picture with the boxes of its evidence (those findings rest on
/// marked), and crops of those fields added to `crops`.
fn page_picture(
    o: &mut String,
    crops: &mut String,
    r: &Record,
    size: &PageSize,
    img: &DynamicImage,
    hit: &BTreeSet<&str>,
    lang: Lang,
) {
    let t = Texts::bundled();
    let uri = jpeg_data_uri(img).unwrap_or_default();
    let _ = write!(
            o,
            "<div class=\"page\" data-page=\"{}\"><img alt=\"p.{}\" src=\"{uri}\"><svg viewBox=\"0 0 {} {}\" preserveAspectRatio=\"none\">",
            size.page, size.page, size.width.max(1), size.height.max(1)
        );
    let (iw, ih) = img.dimensions();
    let sx = iw as f64 / size.width.max(1) as f64;
    let sy = ih as f64 / size.height.max(1) as f64;
    for (field, e) in r.evidence.iter().filter(|(_, e)| e.page == size.page) {
        let [x, y, w, h] = e.bbox;
        let is_hit = hit.contains(field.as_str());
        let _ = write!(
                o,
                "<rect class=\"box{}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\"><title>{}</title></rect>",
                if is_hit { " hit" } else { "" },
                esc(t.field(field, lang))
            );
        if is_hit {
            let pad = 12.0;
            let cx = ((x as f64 * sx) - pad).max(0.0) as u32;
            let cy = ((y as f64 * sy) - pad).max(0.0) as u32;
            let cw = ((w as f64 * sx) + 2.0 * pad) as u32;
            let ch = ((h as f64 * sy) + 2.0 * pad) as u32;
            let cw = cw.min(iw.saturating_sub(cx)).max(1);
            let ch = ch.min(ih.saturating_sub(cy)).max(1);
            if cx < iw && cy < ih {
                let crop = img.crop_imm(cx, cy, cw, ch);
                if let Ok(u) = jpeg_data_uri(&crop) {
                    let _ = write!(
                        crops,
                        "<div class=\"crop\"><img alt=\"{f}\" src=\"{u}\">{f} (p.{})</div>",
                        size.page,
                        f = esc(t.field(field, lang))
                    );
                }
            }
        }
    }
    o.push_str("</svg></div>");
}

fn certificate(
    o: &mut String,
    line: usize,
    r: &Record,
    other_org: bool,
    lang: Lang,
    inputs: &mut Inputs,
) {
    let t = Texts::bundled();
    let Some(cert) = &r.certificate else { return };
    let v = r.validation.as_ref();
    let key = v.map(|v| v.verdict.as_str()).unwrap_or("needs_review");
    let _ = write!(
        o,
        "<div class=\"cert\" id=\"c{line}\" data-input=\"{}\"><h3><span class=\"v {key}\">{}</span> {} — {}</h3>",
        esc(&r.input),
        esc(v.map(|v| t.verdict(v.verdict, lang)).unwrap_or("")),
        esc(cert.standard.as_deref().unwrap_or("?")),
        esc(cert.certificate_number.as_deref().unwrap_or("?"))
    );
    if other_org {
        let _ = write!(
            o,
            "<p class=\"missing\">{}</p>",
            tr(
                lang,
                "证书上的组织不是该投标人",
                "The certificate names another organisation than the bidder"
            )
        );
    }
    fields_table(o, r, cert, lang);
    let hit = findings_list(o, v, lang);
    // Pages with boxes, and crops of the fields findings rest on.
    let doc = inputs.doc(&r.input);
    let mut crops = String::new();
    o.push_str("<div class=\"pages\">");
    for size in &r.page_sizes {
        let pic = match doc {
            Ok(d) => picture(d, size),
            Err(e) => Err(e.clone()),
        };
        match pic {
            Ok(Some(img)) => page_picture(o, &mut crops, r, size, &img, &hit, lang),
            Ok(None) => {
                let _ = write!(
                    o,
                    "<p class=\"missing\">p.{}: {}</p>",
                    size.page,
                    tr(lang, "文字页，无页面图像", "a page of text, no picture")
                );
            }
            Err(e) => {
                let _ = write!(
                    o,
                    "<p class=\"missing\">p.{}: {} ({})</p>",
                    size.page,
                    tr(lang, "页面图像不可用", "page picture unavailable"),
                    esc(&e)
                );
            }
        }
    }
    o.push_str("</div>\n");
    if !crops.is_empty() {
        let _ = write!(
            o,
            "<p><b>{}</b></p><div class=\"crops\">{crops}</div>",
            tr(lang, "问题所涉字段", "Fields the findings rest on")
        );
    }
    o.push_str("</div>\n");
}
