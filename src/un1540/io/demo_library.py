"""Synthetic laws for the demo library, read through the library's services, so that the
portal shows a law's provisions and their evidence suggestions out of the box.

Every law is invented for the demonstration, in the drafting style of its language: its title
starts with "[Synthetic]", its text opens with a line saying it is not a law of any State, and
its origin is `demo`. Laws are added only for the States the demo loads (English for Nigeria,
French for France, Spanish for Mexico, Chinese for China). Deterministic, like the rest.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.models import Origin, State, TextStatus, Visibility
from un1540.services.documents.actions import DocumentInput, register_document
from un1540.services.kernel.jobs import defer_job
from un1540.services.library.actions import EMBED_TASK, embed_provisions, store_text
from un1540.services.library.reading import read_file

ACTOR = "demo-generator"
MAX_BYTES = 1_000_000

_EN = """[Synthetic] An invented text for the un1540 demonstration: it is not a law of any State.

PART I
PRELIMINARY

Section 1. Short title
This Act may be cited as the Weapons of Mass Destruction (Prohibition) Act [Synthetic].

Section 2. Interpretation
In this Act, "chemical weapon" and "biological weapon" have the meanings given in the
conventions to which the State is party, and "means of delivery" means missiles, rockets and
other unmanned systems capable of delivering such weapons.

PART II
OFFENCES

Section 3. Prohibition of weapons of mass destruction
Any person who develops, produces, manufactures, acquires, possesses, stockpiles, transfers or
uses a nuclear, chemical or biological weapon or its means of delivery commits an offence and is
liable on conviction to imprisonment for life.

Section 4. Financing
Any person who provides or collects funds knowing that they are to be used, in full or in part,
to manufacture or acquire a nuclear, chemical or biological weapon commits an offence and is
liable on conviction to imprisonment for a term not exceeding twenty years.

PART III
CONTROLS

Section 5. Export licences
No person shall export, re-export or transit any dual-use item listed in the First Schedule
without a licence issued by the Minister; any person who contravenes this section commits an
offence and is liable to a fine or to imprisonment for a term not exceeding ten years.

Section 6. Physical protection of nuclear material
Every person authorised to hold nuclear material shall keep it under physical protection
measures approved by the Nuclear Regulatory Authority and shall account for it in a register.
"""

_FR = """[Synthétique] Texte inventé pour la démonstration d'un1540 : ce n'est la loi d'aucun État.

Article 1
La présente loi [Synthétique] a pour objet de prévenir la prolifération des armes nucléaires,
chimiques et biologiques et de leurs vecteurs.

Article 2
Est puni de la réclusion criminelle à perpétuité le fait de mettre au point, de fabriquer,
d'acquérir, de détenir, de stocker, de transférer ou d'employer des armes chimiques ou
biologiques.

Article 3
Est puni de vingt ans d'emprisonnement le fait de financer, directement ou indirectement, la
fabrication ou l'acquisition d'une arme nucléaire, chimique ou biologique.

Article 4
L'exportation des biens à double usage figurant sur la liste annexée est soumise à une
licence délivrée par le ministre chargé des douanes. Le fait d'exporter ces biens sans licence
est puni de cinq ans d'emprisonnement.

Article 5
Les détenteurs de matières nucléaires tiennent une comptabilité de ces matières et assurent
leur protection physique dans les conditions fixées par décret.
"""

_ES = """[Sintético] Texto inventado para la demostración de un1540: no es ley de ningún Estado.

Artículo 1.
La presente ley [Sintético] tiene por objeto prevenir la proliferación de armas nucleares,
químicas y biológicas y de sus sistemas vectores.

Artículo 2.
Se impondrá prisión de veinte a cuarenta años a quien desarrolle, produzca, fabrique,
adquiera, posea, almacene, transfiera o emplee armas químicas o biológicas.

Artículo 3.
Se impondrá prisión de diez a veinte años a quien financie la fabricación o la adquisición de
armas nucleares, químicas o biológicas.

Artículo 4.
La exportación, la reexportación y el tránsito de los bienes de uso dual enumerados en el
anexo requieren una licencia de la Secretaría de Economía. Quien exporte dichos bienes sin
licencia será sancionado con prisión de cinco a doce años.

Artículo 5.
Los titulares de materiales nucleares llevarán la contabilidad de dichos materiales y
aplicarán las medidas de protección física que determine la autoridad reguladora.
"""

_ZH = """【合成】本文本为un1540演示而虚构，并非任何国家的法律。

第一条 为了防止核武器、化学武器、生物武器及其运载工具的扩散，制定本法【合成】。

第二条 任何单位和个人不得研制、生产、制造、获取、拥有、储存、转让或者使用化学武器、生物武器。
违反前款规定的，处十年以上有期徒刑、无期徒刑。

第三条 出口、再出口或者过境本法附件所列两用物项，应当取得国务院主管部门颁发的许可证。
未经许可出口的，依法追究刑事责任。

第四条 持有核材料的单位应当对核材料进行衡算，并采取实物保护措施。
"""

# (ISO3, language, title, issued on, text)
LAWS = [
    ("NGA", "en", "Weapons of Mass Destruction (Prohibition) Act", date(2015, 6, 4), _EN),
    ("FRA", "fr", "Loi relative à la non-prolifération des armes", date(2011, 3, 14), _FR),
    ("MEX", "es", "Ley de no proliferación de armas", date(2012, 9, 21), _ES),
    ("CHN", "zh", "不扩散武器法", date(2013, 11, 2), _ZH),
]


def load_demo_library(session: Session, states: list[State]) -> int:
    """Read the synthetic laws of the loaded States into the library; returns how many."""
    loaded = {state.iso3 for state in states}
    added = 0
    for iso3, language, title, issued_on, text in LAWS:
        if iso3 not in loaded:
            continue
        state = session.scalars(select(State).where(State.iso3 == iso3)).one()
        document = register_document(
            session,
            document=DocumentInput(
                kind="legislation",
                title=f"[Synthetic] {state.short_name}: {title}",
                language=language,
                issued_on=issued_on,
                iso3=iso3,
                symbol=f"SYNTHETIC/LAW/{iso3}/{issued_on.year}",
                visibility=Visibility.public,
            ),
            origin=Origin.demo,
            actor=ACTOR,
        )
        read = read_file(
            text.encode("utf-8"),
            f"synthetic-law-{iso3.lower()}.txt",
            language,
            split=True,
            max_bytes=MAX_BYTES,
        )
        document.pages = read.extracted.pages
        store_text(session, document, read, status=TextStatus.ready)
        if not defer_job(
            session, EMBED_TASK, arguments={"document_id": document.id}, lock=f"embed:{document.id}"
        ):
            embed_provisions(session, document_id=document.id)
        added += 1
    return added
