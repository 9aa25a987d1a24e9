//! Word documents written as Word writes them (parts zipped with the zip
//! crate): a paragraph of text, then pictures in order.

use std::io::Write;

pub const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Default Extension="emf" ContentType="image/x-emf"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

pub const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

pub fn drawing(rid: &str) -> String {
    format!(
        r#"<w:p><w:r><w:drawing><wp:inline><wp:extent cx="5274310" cy="7458710"/><wp:docPr id="1" name="Picture"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:blipFill><a:blip r:embed="{rid}"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#
    )
}

pub fn document_xml(text: &str, rids: &[&str]) -> String {
    let mut body = format!(r#"<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#);
    for r in rids {
        body.push_str(&drawing(r));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    )
}

pub fn rels_xml(media: &[(&str, &str)]) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (id, target) in media {
        s.push_str(&format!(
            r#"<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="{target}"/>"#
        ));
    }
    s.push_str("</Relationships>");
    s
}

/// A .docx's bytes from its parts (name, bytes), written with the zip crate.
pub fn zip_bytes(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default();
    for (name, bytes) in parts {
        w.start_file(*name, o).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A .docx of one paragraph of `text` and the PNG `images` in order.
pub fn docx(text: &str, images: &[Vec<u8>]) -> Vec<u8> {
    let rids: Vec<String> = (1..=images.len())
        .map(|i| format!("rId{}", i + 10))
        .collect();
    let rid_refs: Vec<&str> = rids.iter().map(|s| s.as_str()).collect();
    let targets: Vec<String> = (1..=images.len())
        .map(|i| format!("media/image{i}.png"))
        .collect();
    let rels: Vec<(&str, &str)> = rid_refs
        .iter()
        .copied()
        .zip(targets.iter().map(|s| s.as_str()))
        .collect();
    let mut parts = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes().to_vec()),
        ("_rels/.rels", ROOT_RELS.as_bytes().to_vec()),
        (
            "word/document.xml",
            document_xml(text, &rid_refs).into_bytes(),
        ),
        ("word/_rels/document.xml.rels", rels_xml(&rels).into_bytes()),
    ];
    let names: Vec<String> = (1..=images.len())
        .map(|i| format!("word/media/image{i}.png"))
        .collect();
    for (n, img) in names.iter().zip(images) {
        parts.push((n.as_str(), img.clone()));
    }
    zip_bytes(&parts)
}
