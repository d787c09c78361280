from django.urls import path

from .views import activation, checkin, exam, live, officer, roster_import, setup

app_name = "delivery"

urlpatterns = [
    # candidates
    path("", checkin.candidate_home, name="candidate_home"),
    path("entries/<int:entry_id>/check-in/", checkin.candidate_check_in, name="candidate_check_in"),
    path("entries/<int:entry_id>/card.pdf", checkin.candidate_card, name="candidate_card"),
    # the candidate's exam (views/exam.py)
    path("entries/<int:entry_id>/room", exam.room, name="exam_room"),
    path("entries/<int:entry_id>/start", exam.start, name="attempt_start"),
    path("attempts/<uuid:attempt_uid>/", exam.page, name="attempt_page"),
    path("attempts/<uuid:attempt_uid>/state", exam.state, name="attempt_state"),
    path("attempts/<uuid:attempt_uid>/save", exam.save, name="attempt_save"),
    path("attempts/<uuid:attempt_uid>/submit", exam.submit, name="attempt_submit"),
    path("attempts/<uuid:attempt_uid>/receipt", exam.receipt, name="attempt_receipt"),
    path("attempts/<uuid:attempt_uid>/receipt.txt", exam.receipt_download, name="attempt_receipt_download"),
    # exam officers
    path("officer/", officer.rounds_list, name="rounds"),
    path("officer/rounds/<int:round_id>/", officer.round_detail, name="round_detail"),
    path("officer/sessions/<int:session_id>/", officer.session_detail, name="session_detail"),
    path("officer/sessions/<int:session_id>/roster/", officer.session_roster, name="session_roster"),
    path("officer/sessions/<int:session_id>/live/", live.session_live, name="session_live"),
    path("officer/sessions/<int:session_id>/import/", officer.session_import, name="session_import"),
    path(
        "officer/sessions/<int:session_id>/seats/", officer.session_assign_seats, name="session_assign_seats"
    ),
    path("officer/entries/<int:entry_id>/card.pdf", officer.entry_card, name="entry_card"),
    # activation codes and background roster imports (views/activation.py, views/roster_import.py)
    path(
        "officer/sessions/<int:session_id>/activation/",
        activation.session_activation,
        name="session_activation",
    ),
    path(
        "officer/sessions/<int:session_id>/activation/email/",
        activation.session_email_codes,
        name="session_email_codes",
    ),
    path("officer/entries/<int:entry_id>/activation/", activation.entry_activation, name="entry_activation"),
    path("officer/roster-imports/<int:job_id>/", roster_import.roster_import_job, name="roster_import_job"),
    path(
        "officer/roster-imports/<int:job_id>/status",
        roster_import.roster_import_status,
        name="roster_import_status",
    ),
    path(
        "officer/entries/<int:entry_id>/accommodations/",
        officer.entry_accommodations,
        name="entry_accommodations",
    ),
    # exam officers: setting up rounds, positions, sessions, rooms and seats (views/setup.py)
    path("officer/rounds/new/", setup.round_create, name="round_create"),
    path("officer/rounds/<int:round_id>/edit/", setup.round_edit, name="round_edit"),
    path("officer/rounds/<int:round_id>/positions/new/", setup.position_create, name="position_create"),
    path("officer/positions/<int:position_id>/edit/", setup.position_edit, name="position_edit"),
    path("officer/positions/<int:position_id>/remove/", setup.position_remove, name="position_remove"),
    path("officer/rounds/<int:round_id>/sessions/new/", setup.session_create, name="session_create"),
    path("officer/sessions/<int:session_id>/edit/", setup.session_edit, name="session_edit"),
    path("officer/sessions/<int:session_id>/rooms/new/", setup.room_create, name="room_create"),
    path("officer/rooms/<int:room_id>/edit/", setup.room_edit, name="room_edit"),
    path("officer/entries/<int:entry_id>/seat/", setup.entry_seat, name="entry_seat"),
    # rooms: exam officers and proctors
    path("rooms/mine/", officer.my_rooms, name="my_rooms"),
    path("rooms/<int:room_id>/", officer.room_detail, name="room_detail"),
    path("rooms/<int:room_id>/entries/<int:entry_id>/check-in/", officer.room_check_in, name="room_check_in"),
    path("rooms/<int:room_id>/seats.<str:fmt>", officer.room_seat_list, name="room_seat_list"),
    path("rooms/<int:room_id>/check-in-list.<str:fmt>", officer.room_checkin_list, name="room_checkin_list"),
    path("rooms/<int:room_id>/cards.pdf", officer.room_cards, name="room_cards"),
]
