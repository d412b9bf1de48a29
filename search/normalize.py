"""One normalisation for indexed text and queries, length-preserving so that an offset in the
normalised text is the same offset in the original (snippets mark the original text).

- full-width ASCII → half-width (ＡＢＣ１２３ → abc123), ideographic space → space;
- Latin case folded (厂BA = 厂ba);
- traditional characters → simplified, character by character (資產超市 → 资产超市), from
  OpenCC's character table as shipped by opencc-python-reimplemented.
"""

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    import opencc

    characters = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in characters.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
            table[ord(parts[0])] = parts[1]
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII block
        table[code] = chr(code - 0xFEE0)
    table[0x3000] = " "
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    for code in range(0xFF21, 0xFF3B):  # full-width capitals fold straight to lower case
        table[code] = chr(code - 0xFEE0 + 32)
    return table


def normalize(text: str) -> str:
    """Same length as text; see the module docstring."""
    return text.translate(_table())
