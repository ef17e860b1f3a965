"""身份证号 (GB 11643), 统一社会信用代码 (GB 32100) and mobile numbers, with the issue's vectors."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from conftest import GB11643_WEIGHTS, gb11643_check, gb32100_check
from unionwork.core.validators import (
    normalize_id_number,
    normalize_mobile,
    normalize_phone,
    normalize_uscc,
)

VALID_IDS = ["11010519491231002X", "440524188001010014", "110102199101010078", "360426199101010071"]
INVALID_IDS = ["36042619910102009X"]
VALID_USCC = ["91350100M000100Y43", "91110000600037341L", "121200004013590816", "91310115MA1K3BTP2B"]
INVALID_USCC = ["91110000600037341N", "91350100M000100Y4Z"]


def _messages(exc_info) -> str:
    return "；".join(exc_info.value.messages)


# ---------------------------------------------------------------- the independent helpers agree with the standard


def test_gb11643_weights_are_the_standard_ones():
    assert GB11643_WEIGHTS == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


@pytest.mark.parametrize("number", VALID_IDS)
def test_independent_id_check_matches_valid_vectors(number):
    assert gb11643_check(number[:17]) == number[17]


@pytest.mark.parametrize("number", VALID_USCC)
def test_independent_uscc_check_matches_valid_vectors(number):
    assert gb32100_check(number[:17]) == number[17]


# ---------------------------------------------------------------- 身份证号


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_id_numbers_are_accepted_unchanged(number):
    assert normalize_id_number(number) == number


def test_old_area_code_is_not_rejected():
    # 440524 is no longer in county tables; the standard's own example must still pass.
    assert normalize_id_number("440524188001010014") == "440524188001010014"


@pytest.mark.parametrize("number", INVALID_IDS)
def test_wrong_check_digit_is_refused_with_the_expected_digit(number):
    with pytest.raises(ValidationError) as exc:
        normalize_id_number(number)
    msg = _messages(exc)
    assert "校验位错误" in msg
    # The message tells the cadre which check digit the standard expects.
    assert f"应为 {gb11643_check(number[:17])}" in msg
    assert exc.value.error_list[0].code == "check"


def test_every_wrong_check_digit_is_refused():
    first17 = "11010519491231002"
    right = gb11643_check(first17)
    for wrong in "0123456789X":
        if wrong == right:
            assert normalize_id_number(first17 + wrong) == first17 + wrong
        else:
            with pytest.raises(ValidationError):
                normalize_id_number(first17 + wrong)


def test_lowercase_x_is_accepted_and_stored_upper_case():
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"


def test_spaces_and_full_width_digits_are_cleaned():
    assert normalize_id_number(" 110102 19910101 0078 ") == "110102199101010078"
    assert normalize_id_number("１１０１０２１９９１０１０１００７８") == "110102199101010078"


@pytest.mark.parametrize("legacy", ["110105491231002", "440524800101001", "360426910101007"])
def test_fifteen_digit_legacy_number_is_converted_to_eighteen(legacy):
    first17 = legacy[:6] + "19" + legacy[6:]
    # Check digit computed here from the GB 11643 weights, not by the code under test.
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    expected_check = "10X98765432"[total % 11]
    assert normalize_id_number(legacy) == first17 + expected_check


def test_fifteen_digit_example_gives_the_known_eighteen_digit_number():
    # 110105491231002 is the 15-digit form of the standard's 11010519491231002X.
    assert normalize_id_number("110105491231002") == "11010519491231002X"


@pytest.mark.parametrize("value", ["1.10105E+17", "1.10105e+17", "4.40524E+17"])
def test_scientific_notation_is_refused_in_chinese(value):
    with pytest.raises(ValidationError) as exc:
        normalize_id_number(value)
    msg = _messages(exc)
    assert "科学计数法" in msg
    assert "身份证号" in msg


@pytest.mark.parametrize("birth", ["19490230", "19911301", "19910100", "20990101", "18790101"])
def test_impossible_birth_date_is_refused(birth):
    first17 = f"110105{birth}002"
    number = first17 + gb11643_check(first17)  # the check digit is right: only the date is wrong
    with pytest.raises(ValidationError) as exc:
        normalize_id_number(number)
    assert "出生日期" in _messages(exc)
    assert "不是真实日期" in _messages(exc)


def test_birth_date_in_the_future_relative_to_today_is_refused():
    first17 = "11010520300101001"
    number = first17 + gb11643_check(first17)
    with pytest.raises(ValidationError):
        normalize_id_number(number, today=datetime.date(2026, 1, 1))
    assert normalize_id_number(number, today=datetime.date(2031, 1, 1)) == number


@pytest.mark.parametrize("value", ["", "   ", None])
def test_empty_id_number_is_refused(value):
    with pytest.raises(ValidationError) as exc:
        normalize_id_number(value)
    assert "不能为空" in _messages(exc)


@pytest.mark.parametrize("value", ["1101051949123100", "11010519491231002XX", "1101051949123100AX", "X10105194912310021"])
def test_wrong_shape_is_refused(value):
    with pytest.raises(ValidationError) as exc:
        normalize_id_number(value)
    assert "18位" in _messages(exc)


# ---------------------------------------------------------------- 统一社会信用代码


@pytest.mark.parametrize("code", VALID_USCC)
def test_valid_uscc_is_accepted(code):
    assert normalize_uscc(code) == code


def test_uscc_is_cleaned_and_upper_cased():
    assert normalize_uscc(" 91310115ma1k3btp2b ") == "91310115MA1K3BTP2B"
    assert normalize_uscc("９１１１００００６０００３７３４１Ｌ") == "91110000600037341L"


@pytest.mark.parametrize("code", INVALID_USCC)
def test_invalid_uscc_is_refused_naming_the_code(code):
    with pytest.raises(ValidationError) as exc:
        normalize_uscc(code)
    msg = _messages(exc)
    assert code in msg
    assert "统一社会信用代码" in msg


def test_wrong_uscc_check_digit_says_so():
    with pytest.raises(ValidationError) as exc:
        normalize_uscc("91110000600037341N")
    assert "校验位错误" in _messages(exc)


def test_every_wrong_uscc_check_character_is_refused():
    first17 = "91110000600037341"
    for ch in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if ch == gb32100_check(first17):
            assert normalize_uscc(first17 + ch) == first17 + ch
        else:
            with pytest.raises(ValidationError):
                normalize_uscc(first17 + ch)


@pytest.mark.parametrize("code,fragment", [("9111000060003734", "应为18位"), ("", "不能为空"),
                                           ("91110000600037341L1", "应为18位")])
def test_uscc_length_and_empty(code, fragment):
    with pytest.raises(ValidationError) as exc:
        normalize_uscc(code)
    assert fragment in _messages(exc)


# ---------------------------------------------------------------- phones


@pytest.mark.parametrize("value,expected", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+8613812345678", "13812345678"),
    ("+86 199 1234 5678", "19912345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("", ""),
])
def test_mainland_mobile_numbers_are_accepted(value, expected):
    assert normalize_mobile(value) == expected


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "23812345678", "022-12345678",
                                   "1381234567a", "+85261234567"])
def test_other_numbers_are_not_mobiles(value):
    with pytest.raises(ValidationError) as exc:
        normalize_mobile(value)
    assert "不是有效的大陆手机号" in _messages(exc)


@pytest.mark.parametrize("value,expected", [
    ("022-12345678", "022-12345678"),
    ("02212345678", "02212345678"),
    ("0571-8765432", "0571-8765432"),
    ("138-1234-5678", "13812345678"),
    ("", ""),
])
def test_unit_phones_accept_landlines(value, expected):
    assert normalize_phone(value) == expected


@pytest.mark.parametrize("value", ["12345", "22-12345678", "abc"])
def test_unit_phones_refuse_nonsense(value):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(value)
    assert "不是有效的手机号或固定电话" in _messages(exc)
