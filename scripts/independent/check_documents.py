"""Independent checks of Tongban's sealed documents, with tools that share no code with it.

- qpdf --check: the PDF (with its incremental signature revision) is well formed;
- pdffonts: the CJK font is embedded as a subset;
- pdftotext: the text comes out exactly as issued;
- gmssl (pure-Python SM2/SM3): the CMS signature's SM2 value over its signed attributes, the
  SM3 digest of the signed byte ranges, and the agency certificate's signature by the root;
- fontTools: the OFD's embedded font subset reads, and covers every glyph its text codes name;
- easyofd: the OFD reads with the same text, and its signature entry verifies with gmssl too:
  an SES_Signature of GB/T 38540 (v4), read here with a few lines of DER parsing of our own;
  the maker's signature over the SESeal, the signer's over TBS_Sign, the SM3 of Signature.xml.

Usage: check_documents.py DIR, where DIR holds decision.pdf, decision.ofd, root.pem and
expected.txt (the printed text, one piece a line) as the documents crate's tests write them.
"""

import base64
import hashlib  # noqa: F401  (sm3 comes from gmssl, never from Tongban)
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from asn1crypto import cms, pem, x509, algos
from gmssl import sm2, sm3, func

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def sm3_hex(data: bytes) -> str:
    return sm3.sm3_hash(func.bytes_to_list(data))


def sm2_verify(cert: x509.Certificate, signature_der: bytes, message: bytes) -> bool:
    point = cert.public_key["public_key"].native  # 04 || x || y
    if isinstance(point, tuple):
        point = b"\x04" + point[0].to_bytes(32, "big") + point[1].to_bytes(32, "big")
    pk = point.hex()[2:] if point[0] == 4 else point.hex()
    rs = algos.DSASignature.load(signature_der).native
    sig = "%064x%064x" % (rs["r"], rs["s"])
    return bool(sm2.CryptSM2(public_key=pk, private_key=None).verify_with_sm3(sig, message))


def check_cms(der: bytes, content_digest_hex: str, root: x509.Certificate, label: str):
    info = cms.ContentInfo.load(der)
    sd = info["content"]
    signer = sd["signer_infos"][0]
    certs = [c.chosen for c in sd["certificates"]]
    serial = signer["sid"].chosen["serial_number"].native
    cert = next(c for c in certs if c.serial_number == serial)
    attrs = signer["signed_attrs"]
    digest = next(a["values"][0].native for a in attrs if a["type"].native == "message_digest")
    check(digest.hex() == content_digest_hex, f"{label}: messageDigest is the SM3 of the signed bytes")
    # The signature covers the attributes encoded as a SET OF (tag 0x31), not as [0].
    signed = b"\x31" + attrs.dump()[1:]
    check(sm2_verify(cert, signer["signature"].native, signed), f"{label}: SM2 signature verifies (gmssl)")
    tbs = cert["tbs_certificate"].dump()
    check(sm2_verify(root, cert["signature_value"].native, tbs), f"{label}: agency certificate is signed by the root (gmssl)")
    check(cert.issuer == root.subject, f"{label}: certificate issuer is the root")


def tlvs(data: bytes):
    """DER values in a row: (tag, the whole value, its contents)."""
    out, i = [], 0
    while i < len(data):
        tag, n, j = data[i], data[i + 1], i + 2
        if n & 0x80:
            k = n & 0x7F
            n, j = int.from_bytes(data[j:j + k], "big"), j + k
        out.append((tag, data[i:j + n], data[j:j + n]))
        i = j + n
    return out


def der_sequence(*parts: bytes) -> bytes:
    body = b"".join(parts)
    n = len(body)
    length = bytes([n]) if n < 0x80 else (lambda b: bytes([0x80 | len(b)]) + b)(n.to_bytes((n.bit_length() + 7) // 8, "big"))
    return b"\x30" + length + body


def check_ses(der: bytes, content_digest_hex: str, root: x509.Certificate, label: str):
    (tag, _, body), = tlvs(der)
    tbs, cert, alg, sig = tlvs(body)
    check(tag == 0x30 and [t for t, _, _ in (tbs, cert, alg, sig)] == [0x30, 0x04, 0x06, 0x03],
          f"{label}: SES_Signature is toSign, cert, signatureAlgID, signature")
    version, eseal, time_info, data_hash, prop = tlvs(tbs[2])
    check(int.from_bytes(version[2], "big") == 4 and time_info[0] == 0x18, f"{label}: TBS_Sign is version 4 with a GeneralizedTime")
    check(data_hash[2][1:].hex() == content_digest_hex, f"{label}: dataHash is the SM3 of Signature.xml")
    check(prop[2] == b"/Doc_0/Signs/Sign_0/Signature.xml", f"{label}: propertyInfo names Signature.xml")
    signer = x509.Certificate.load(cert[2])
    check(alg[2] == bytes.fromhex("2a811ccf55018375"), f"{label}: signature algorithm is SM2 with SM3")
    check(sm2_verify(signer, sig[2][1:], tbs[1]), f"{label}: SM2 signature over TBS_Sign verifies (gmssl)")
    check(sm2_verify(root, signer["signature_value"].native, signer["tbs_certificate"].dump()),
          f"{label}: signer certificate is signed by the root (gmssl)")
    info, maker_cert, maker_alg, signed_value = tlvs(eseal[2])
    maker = x509.Certificate.load(maker_cert[2])
    check(maker.dump() == root.dump(), f"{label}: the seal's maker is the deployment root")
    check(sm2_verify(maker, signed_value[2][1:], der_sequence(info[1], maker_cert[1], maker_alg[1])),
          f"{label}: the maker's SM2 signature over the SESeal verifies (gmssl)")
    header, es_id, prop_info, picture = tlvs(info[2])[:4]
    check(tlvs(header[2])[0][2] == b"ES", f"{label}: SES_Header ID is ES")
    kind, name, list_type, cert_list = tlvs(prop_info[2])[:4]
    check(signer.dump() in [c for _, _, c in tlvs(cert_list[2])], f"{label}: the seal lists the signer's certificate")
    print(f"     seal {es_id[2].decode()} of {name[2].decode()}")
    pic_type, pic_data = tlvs(picture[2])[:2]
    check(pic_type[2] == b"SVG" and pic_data[2].lstrip().startswith(b"<svg"), f"{label}: the seal's picture is an SVG")


def main(d: Path):
    _, _, root_der = pem.unarmor((d / "root.pem").read_bytes())
    root = x509.Certificate.load(root_der)
    check(sm2_verify(root, root["signature_value"].native, root["tbs_certificate"].dump()), "root certificate is self-signed with SM2")

    pdf = (d / "decision.pdf").read_bytes()
    q = subprocess.run(["qpdf", "--check", str(d / "decision.pdf")], capture_output=True, text=True)
    check(q.returncode == 0 and "No syntax or stream encoding errors" in q.stdout, "qpdf --check passes")
    fonts = subprocess.run(["pdffonts", str(d / "decision.pdf")], capture_output=True, text=True).stdout
    rows = [l.split() for l in fonts.splitlines()[2:] if l.strip()]
    check(any(re.match(r"^[A-Z]{6}\+Noto", r[0]) and r[-5:-2] == ["yes", "yes", "yes"] for r in rows),
          "pdffonts: Noto CJK embedded as a subset (emb sub uni)")
    text = subprocess.run(["pdftotext", str(d / "decision.pdf"), "-"], capture_output=True, text=True).stdout
    printed = "".join(l.strip() for l in text.splitlines()
                      if l.strip() and not re.match(r"^—\s*\d+\s*—$", l.strip()) and not l.startswith("扫码核验"))
    expected = "".join(l.strip() for l in (d / "expected.txt").read_text().splitlines())
    check(printed.replace(" ", "") == expected.replace(" ", ""), "pdftotext gives exactly the issued text")

    m = re.search(rb"/ByteRange \[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    a, b, c, n = (int(x) for x in m.groups())
    check(a == 0 and c + n == len(pdf), "the signature's byte range reaches the end of the file")
    contents = pdf[b + 1:c - 1]
    der = bytes.fromhex(contents.decode()).rstrip(b"\x00")
    check_cms(der, sm3_hex(pdf[a:b] + pdf[c:c + n]), root, "PDF")

    _, _, ofd_root_der = pem.unarmor((d / "ofd-root.pem").read_bytes())
    ofd_root = x509.Certificate.load(ofd_root_der)
    ofd = zipfile.ZipFile(io.BytesIO((d / "decision.ofd").read_bytes()))
    sig_xml = ofd.read("Doc_0/Signs/Sign_0/Signature.xml")
    signs = ofd.read("Doc_0/Signs/Signatures.xml")
    check(b'Type="Seal"' in signs, "OFD: the signature is an electronic seal (Type=Seal)")
    check_ses(ofd.read("Doc_0/Signs/Sign_0/SignedValue.dat"), sm3_hex(sig_xml), ofd_root, "OFD")
    check(ofd.read("Doc_0/Signs/Sign_0/Seal.esl") == tlvs(tlvs(tlvs(ofd.read("Doc_0/Signs/Sign_0/SignedValue.dat"))[0][2])[0][2])[1][1],
          "OFD: Seal.esl is the seal inside the signature")
    for ref, value in re.findall(rb'FileRef="/([^"]+)"><ofd:CheckValue>([^<]+)<', sig_xml):
        check(base64.b64decode(value).hex() == sm3_hex(ofd.read(ref.decode())), f"OFD: SM3 of {ref.decode()}")
    # The font is embedded: a subset fontTools reads, and every text code maps each of its
    # characters to a glyph that subset holds.
    from fontTools.ttLib import TTFont
    font = TTFont(io.BytesIO(ofd.read("Doc_0/Res/font_2.otf")))
    glyph_count = font["maxp"].numGlyphs
    check("CFF " in font and glyph_count > 10, f"OFD: the embedded font is a CFF subset fontTools reads ({glyph_count} glyphs)")
    runs = []
    for name in ofd.namelist():
        if name.endswith("Content.xml"):
            runs += re.findall(rb'GlyphCount="(\d+)"><ofd:Glyphs>([^<]*)</ofd:Glyphs></ofd:CGTransform><ofd:TextCode[^>]*>([^<]*)<', ofd.read(name))
    check(runs and all(int(n) == len(g.split()) == len(t.decode().replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"'))
                       and all(int(x) < glyph_count for x in g.split()) for n, g, t in runs),
          f"OFD: every text code ({len(runs)}) maps each character to a glyph of the embedded font")
    from easyofd.ofd import OFD
    reader = OFD()
    reader.read((d / "decision.ofd").read_bytes(), fmt="binary")
    pages = reader.data[0]["page_info"]
    # The seal's characters are turned (a CTM each): a picture, not the document's text.
    ofd_text = "".join(t["text"] for p in sorted(pages) for t in pages[p]["text_list"] if not t.get("CTM"))
    ofd_text = re.sub(r"—\s*\d+\s*—", "", ofd_text)
    check(ofd_text.replace(" ", "") == expected.replace(" ", ""), "easyofd reads exactly the issued text")

    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
