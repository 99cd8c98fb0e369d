"""Recordings as families' phones play them: any common format in, one small MP3 out.

MP3 is the one format every current phone browser plays (Safari on old iPhones included, which
Ogg/Opus is not); speech needs little of it: one channel at 22.05 kHz and 32 kbit/s, about 240 kB
a minute. Loudness is normalised to -16 LUFS (EBU R128, as podcasts use) so that one question is not
louder than the next. ffmpeg (Debian's package) does the work, with a fixed command line, no shell,
local files only and a time limit; a recording it cannot read is refused with its name.
"""
from __future__ import annotations

import json
# ffmpeg and ffprobe run with fixed arguments, never through a shell.
import subprocess  # nosec B404
import tempfile
from pathlib import Path

CONTENT_TYPE = "audio/mpeg"
SUFFIX = ".mp3"
MAX_SECONDS = 180
_TIMEOUT_SECONDS = 60
# What ffmpeg may open: the one temporary file, never a URL a crafted playlist names.
_LOCAL_ONLY = ["-protocol_whitelist", "file"]
_ENCODE = ["-vn", "-map_metadata", "-1", "-ac", "1", "-ar", "22050", "-af", "loudnorm=I=-16:TP=-1.5:LRA=11",
           "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3"]


class AudioError(ValueError):
    """A recording that could not be used; the message says why, for the file's name."""


def convert(data: bytes, name: str) -> bytes:
    """`data` (MP3, M4A/AAC, Ogg/Opus, WAV, WebM, FLAC) as a small, loudness-normalised mono MP3."""
    with tempfile.TemporaryDirectory(prefix="survey-audio-") as folder:
        source = Path(folder) / ("input" + (Path(name).suffix.lower() if Path(name).suffix.isascii() else ""))
        target = Path(folder) / ("output" + SUFFIX)
        source.write_bytes(data)
        seconds = _duration(source, name)
        if seconds > MAX_SECONDS:
            raise AudioError(f'"{name}" is {seconds:.0f} seconds long, longer than {MAX_SECONDS}. Record each '
                             "question and answer on its own.")
        _run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", *_LOCAL_ONLY, "-i", str(source),
              *_ENCODE, "-y", str(target)], name)
        return target.read_bytes()


def _duration(source: Path, name: str) -> float:
    output = _run(["ffprobe", "-v", "error", *_LOCAL_ONLY, "-select_streams", "a:0", "-show_entries",
                   "stream=codec_type:format=duration", "-of", "json", str(source)], name)
    try:
        found = json.loads(output)
        if not found.get("streams"):
            raise ValueError
        return float(found["format"]["duration"])
    except (ValueError, KeyError, TypeError):
        raise AudioError(_unreadable(name)) from None


def _run(command: list[str], name: str) -> bytes:
    try:
        done = subprocess.run(command, capture_output=True, timeout=_TIMEOUT_SECONDS, check=False)  # nosec B603
    except subprocess.TimeoutExpired:
        raise AudioError(f'"{name}" took too long to convert. Save it again as MP3 and try again.') from None
    except FileNotFoundError:
        raise AudioError("Recordings cannot be converted on this server: ffmpeg is not installed "
                         "(make ffmpeg installs it).") from None
    if done.returncode != 0:
        raise AudioError(_unreadable(name))
    return done.stdout


def _unreadable(name: str) -> str:
    return (f'"{name}" could not be read as a recording. Save it as MP3, M4A, Ogg, Opus or WAV and try again.')
