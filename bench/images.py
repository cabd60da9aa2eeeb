"""Benchmark: time and peak memory of the image pipeline on a 24-megapixel JPEG.

    .venv/bin/python bench/images.py               # 6000×4000, 3 runs per step
    .venv/bin/python bench/images.py --width 4000 --height 3000 --runs 5

Generates a 6000×4000 JPEG (gradients plus noise, so it compresses like a photo), then
runs each step in a fresh Python process (so one step's memory does not count against the
next) and reports its wall time and the process's peak resident memory above what it used
before the step (``VmHWM`` from ``/proc/self/status``, else ``ru_maxrss``; Pillow allocates
pixel memory outside Python's allocator, so ``tracemalloc`` would not see it):

- ``upload``: what ``services.image_create`` does to the file: ``inspect_upload`` (verify,
  full decode), ``read_metadata`` and ``clean_copy`` (upright, re-encode with the JPEG's
  own tables, credit written back);
- ``renditions``: every rendition (5 widths × WebP and JPEG) from the stored original in
  one pass, as after an upload (``renditions.render_renditions``: one ``draft`` decode);
- ``one rendition``: the largest (1920 px WebP) alone, as the rendition view makes it on
  a first request;
- ``renditions, full decode``: the same set without ``Image.draft``, for comparison.

Nothing touches the database; files go to a temporary folder.
"""

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("upload", "renditions", "one rendition", "renditions, full decode")


def make_photo(width: int, height: int) -> bytes:
    """A JPEG that compresses like a photograph: smooth gradients with sensor-like noise."""
    from PIL import Image, ImageChops

    red = Image.linear_gradient("L").resize((width, height))
    green = red.transpose(Image.Transpose.ROTATE_90).resize((width, height))
    blue = Image.radial_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 18)
    channels = [ImageChops.add(channel, noise, scale=1.0, offset=-128) for channel in (red, green, blue)]
    out = io.BytesIO()
    Image.merge("RGB", channels).save(out, "JPEG", quality=92)
    return out.getvalue()


def _setup(media_root: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    os.environ["MEDIA_ROOT"] = media_root
    import django

    django.setup()


def _peak_kib() -> int:
    """This process's peak resident memory in KiB. VmHWM where /proc has it: ru_maxrss is
    inherited from the parent across fork and exec, so a child would start at the
    parent's peak (the parent drew the 24 MP photo)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


def run_step(step: str, photo_path: str, media_root: str) -> dict:
    """Run one step in this process and return its timing and memory (called in a child)."""
    _setup(media_root)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image as PILImage

    from articles import images, renditions
    from articles.metadata import read_metadata
    from articles.models import Image

    data = Path(photo_path).read_bytes()
    stored_name = "bench/original.jpg"
    stored_path = Path(media_root) / stored_name
    specs = []
    if step != "upload":  # the stored original was written by the upload step
        with PILImage.open(stored_path) as picture:
            width, height = picture.size
        image = Image(file=stored_name, width=width, height=height, creator="Bench Photographer")
        specs = renditions.rendition_specs(image)
    details: dict = {}
    before = _peak_kib()
    started = time.perf_counter()
    if step == "upload":
        upload = SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")
        images.inspect_upload(upload)
        with images.opened_upload(upload) as picture:
            read_metadata(picture)
            clean = images.clean_copy(picture, credit=images.FileCredit(creator="Bench Photographer"))
        stored_path.parent.mkdir(parents=True, exist_ok=True)
        stored_path.write_bytes(clean.content)
        details = {"stored_bytes": len(clean.content)}
    elif step == "renditions":
        made = renditions.render_renditions(image, specs)
        details = {"files": len(made), "bytes": sum(len(m[3]) for m in made)}
    elif step == "one rendition":
        largest = max((s for s in specs if s.format == "webp"), key=lambda s: s.width)
        made = renditions.render_renditions(image, [largest])
        details = {"files": 1, "bytes": len(made[0][3])}
    else:  # full decode, no draft: the naive way
        with PILImage.open(stored_path) as picture:
            picture.load()
            total = 0
            for spec in specs:
                resized = picture.resize((spec.width, spec.height), PILImage.Resampling.LANCZOS)
                out = io.BytesIO()
                resized.save(out, renditions.PIL_FORMATS[spec.format], **renditions.SAVE_OPTIONS[spec.format])
                total += out.tell()
        details = {"files": len(specs), "bytes": total}
    seconds = time.perf_counter() - started
    return {"step": step, "seconds": seconds, "peak_mib": (_peak_kib() - before) / 1024, **details}


def measure(step: str, photo_path: str, media_root: str) -> dict:
    output = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--child", step, photo_path, media_root],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--width", type=int, default=6000)
    parser.add_argument("--height", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("STEP", "PHOTO", "MEDIA_ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_step(*args.child)))
        return

    with tempfile.TemporaryDirectory() as media_root:
        photo = Path(media_root) / "photo.jpg"
        photo.write_bytes(make_photo(args.width, args.height))
        megapixels = args.width * args.height / 1e6
        print(f"Source: {args.width}×{args.height} JPEG ({megapixels:.1f} MP, {photo.stat().st_size / 1e6:.1f} MB)")
        import PIL

        print(
            f"Python {sys.version.split()[0]}, Pillow {PIL.__version__}, {os.cpu_count()} CPUs; median of {args.runs}"
        )
        print()
        print(f"| {'step':<24} | {'time (s)':>8} | {'peak RSS (MiB)':>14} | output |")
        print(f"|{'-' * 26}|{'-' * 10}:|{'-' * 16}:|--------|")
        for step in STEPS:
            results = [measure(step, str(photo), media_root) for _ in range(args.runs)]
            seconds = statistics.median(r["seconds"] for r in results)
            peak = statistics.median(r["peak_mib"] for r in results)
            last = results[-1]
            if "stored_bytes" in last:
                output = f"stored original {last['stored_bytes'] / 1e6:.1f} MB"
            else:
                output = f"{last['files']} file{'s' if last['files'] != 1 else ''}, {last['bytes'] / 1e3:.0f} kB"
            print(f"| {step:<24} | {seconds:>8.2f} | {peak:>14.0f} | {output} |")


if __name__ == "__main__":
    main()
