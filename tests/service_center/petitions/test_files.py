import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from service_center.petitions.files import MAX_FILE_SIZE, check_upload, check_uploads, sniff
from tests.service_center.images import executable_named_jpg, jpeg_with_gps, pdf, png


def test_a_photo_loses_its_gps_and_camera_metadata():
    upload = jpeg_with_gps()
    with Image.open(io.BytesIO(upload.read())) as original:
        assert original.getexif().get(0x8825)
    upload.seek(0)

    checked = check_upload(upload)

    with Image.open(io.BytesIO(checked.content.read())) as stored:
        exif = stored.getexif()
        assert 0x8825 not in exif
        assert 0x010F not in exif
        assert stored.size == (40, 30)
    assert checked.content_type == "image/jpeg"


def test_an_executable_renamed_jpg_is_refused():
    with pytest.raises(ValidationError) as exc:
        check_upload(executable_named_jpg())
    assert exc.value.code == "bad_type"


def test_a_file_over_20_mb_is_refused():
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * MAX_FILE_SIZE)
    with pytest.raises(ValidationError) as exc:
        check_upload(big)
    assert exc.value.code == "too_large"


def test_the_type_comes_from_the_bytes_not_the_name():
    checked = check_upload(png(name="scan.jpg"))
    assert checked.content_type == "image/png"
    assert check_upload(pdf(name="letter.txt")).content_type == "application/pdf"


def test_a_broken_image_is_refused():
    broken = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 10)
    with pytest.raises(ValidationError) as exc:
        check_upload(broken)
    assert exc.value.code == "bad_image"


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"\x00\x00\x00\x18ftypmp42", "v.mp4", "video/mp4"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "v.avi", "video/x-msvideo"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "a.wav", "audio/wav"),
        (bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c"), "v.wmv", "video/x-ms-wmv"),
        (bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c"), "a.wma", "audio/x-ms-wma"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00", "a.mp3", "audio/mpeg"),
        (b"<html><script>", "x.mp3", None),
        (b"PK\x03\x04", "x.pdf", None),
    ],
)
def test_sniff_recognises_the_accepted_types(head, name, expected):
    assert sniff(head, name) == expected


def test_at_most_five_files():
    with pytest.raises(ValidationError) as exc:
        check_uploads([pdf(f"{n}.pdf") for n in range(6)])
    assert exc.value.code == "too_many"
