"""Reading and writing the CSV files of a package, as RFC 4180 and the OneRoster binding have it.

Reading is forgiving where the standard is (a UTF-8 byte-order mark, CRLF or LF line ends,
quoted fields holding commas, quotes or line breaks, blank lines at the end) and exact where it
is not: text that is not UTF-8 or quoting that does not close is a `CsvError` with its line.
"""

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, BinaryIO

# A field may hold a long comment or a list of many sourcedIds.
csv.field_size_limit(16 * 1024 * 1024)


class CsvError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class PackageError(Exception):
    """The package cannot be opened at all (not a zip, not a folder)."""


class Source:
    """The files of a package: a folder, a zip file, or the bytes of a zip.

    CSV files are looked for at the root; a zip made of a folder (its files one level down,
    as "Compress folder" makes it) is read from that folder.
    """

    def __init__(self, location: str | os.PathLike[str] | bytes | BinaryIO) -> None:
        self._zip: zipfile.ZipFile | None = None
        self._folder: Path | None = None
        self._members: dict[str, str] = {}
        if isinstance(location, bytes):
            self._open_zip(io.BytesIO(location))
        elif hasattr(location, "read"):
            self._open_zip(location)  # type: ignore[arg-type]
        else:
            path = Path(location)
            if path.is_dir():
                self._open_folder(path)
            elif path.is_file():
                self._open_zip(path)
            else:
                raise PackageError(f"{path}: no such file or folder.")

    def _open_zip(self, file: Path | BinaryIO) -> None:
        try:
            self._zip = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError) as error:
            raise PackageError(
                f"not a zip file ({error}): a OneRoster package is a zip of CSV files "
                "or a folder holding them."
            ) from None
        names = [
            info.filename
            for info in self._zip.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and not Path(info.filename).name.startswith(".")
        ]
        root = ""
        if "manifest.csv" not in names:
            folders = {name.rsplit("/", 1)[0] + "/" for name in names if "/" in name}
            holding = [f for f in folders if f + "manifest.csv" in names and f.count("/") == 1]
            if len(holding) == 1:
                root = holding[0]
        for name in names:
            if name.startswith(root) and "/" not in name[len(root) :]:
                self._members[name[len(root) :]] = name

    def _open_folder(self, path: Path) -> None:
        root = path
        if not (path / "manifest.csv").is_file():
            inner = [p for p in path.iterdir() if p.is_dir() and (p / "manifest.csv").is_file()]
            if len(inner) == 1:
                root = inner[0]
        self._folder = root
        for child in root.iterdir():
            if child.is_file() and not child.name.startswith("."):
                self._members[child.name] = child.name

    @property
    def names(self) -> list[str]:
        """The files at the package's root."""
        return sorted(self._members)

    def open(self, name: str) -> IO[bytes]:
        member = self._members[name]
        if self._zip is not None:
            return self._zip.open(member)
        assert self._folder is not None
        return (self._folder / member).open("rb")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> "Source":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _decoded_lines(raw: IO[bytes]) -> Iterator[str]:
    """The file's lines as text, the byte-order mark dropped. Decoding line by line (no
    UTF-8 sequence holds a newline byte) lets a decoding error name its line."""
    for number, line in enumerate(raw, 1):
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            raise CsvError(
                number, "the text is not UTF-8, expected a file saved as UTF-8"
            ) from None


def read_records(raw: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) for each record, the header first; line is where the record starts.

    Blank lines are skipped. Raises CsvError for text that is not UTF-8 or broken quoting.
    """
    reader = csv.reader(_decoded_lines(raw), strict=True)
    last = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvError(
                last + 1,
                f"the CSV cannot be read ({error}), expected RFC 4180 fields: a field holding "
                'a comma, a quote or a line break is enclosed in "double quotes", and a '
                'quote inside it is written twice ("")',
            ) from None
        start, last = last + 1, reader.line_num
        if fields:
            yield start, fields


class Writer:
    """One CSV file, as RFC 4180 writes it: CRLF line ends, quotes only where needed, UTF-8."""

    def __init__(self, stream: IO[bytes], header: Iterable[str]) -> None:
        self.text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=False)
        self.writer = csv.writer(self.text, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self.writer.writerow(list(header))
        self.rows = 0

    def row(self, values: Iterable[str]) -> None:
        self.writer.writerow(values)
        self.rows += 1

    def rows_from(self, rows: Iterable[Iterable[str]]) -> None:
        for values in rows:
            self.row(values)

    def close(self) -> None:
        self.text.flush()
        self.text.detach()
