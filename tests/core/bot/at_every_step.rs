//! What works at every step: wrong answers, "batal", "menu", the timeout.

use super::*;

#[test]
fn a_wrong_answer_at_every_step_gets_the_choices_again() {
    for target in STEPS {
        for wrong in ["", "🙂🙂", "0", "99", "-1", "99999999999999999999999"] {
            let mut c = reach(target);
            let before = c.conversation().unwrap();
            let replies = c.send(Inbound::Text(wrong.into()));
            let again = joined(&replies);
            let after = c.conversation().unwrap();
            assert_eq!(after.step(), target, "{target:?} {wrong:?}: {again}");
            assert_eq!(after.wrong_answers(), 1, "{target:?} {wrong:?}");
            assert!(
                again.starts_with("Maaf, jawaban itu bukan salah satu pilihan."),
                "{target:?} {wrong:?}: {again}"
            );
            // The same question, with the same choices.
            let question = {
                let mut fresh = reach(target);
                fresh.stored = Some(serde_json::to_string(&before).unwrap());
                fresh.say("indonesia")
            };
            let question =
                question.trim_start_matches("Baik, kita lanjut dalam Bahasa Indonesia.\n");
            assert!(
                again.ends_with(question),
                "{target:?}: {again}\n---- expected the question:\n{question}"
            );
        }
    }
}

#[test]
fn batal_at_every_step_ends_the_conversation() {
    for target in STEPS {
        for word in ["batal", "Batal!", "CANCEL"] {
            let mut c = reach(target);
            let effects = c.effects.len();
            let text = c.say(word);
            assert_eq!(c.stored, None, "{target:?} {word}");
            assert!(text.contains("dihentikan"), "{target:?}: {text}");
            assert_eq!(
                c.effects.len(),
                effects,
                "nothing is booked or canceled: {target:?}"
            );
        }
    }
    // Also while the first look-up is under way, and as the first message.
    let mut c = Chat::new(World::standard());
    let text = c.say("batal");
    assert!(text.contains("dihentikan"), "{text}");
    assert_eq!(c.stored, None);
}

#[test]
fn menu_at_every_step_goes_back_to_the_greeting() {
    for target in STEPS {
        let mut c = reach(target);
        let text = c.say("Menu");
        assert_eq!(c.step_now(), Some(Step::Location), "{target:?}");
        assert!(
            text.contains("Salon Cantik") && text.contains("lokasi"),
            "{target:?}: {text}"
        );
        // Nothing chosen before is remembered: "1" is not a provider now.
        let wrong = c.say("1");
        assert!(
            wrong.contains("bukan salah satu pilihan"),
            "{target:?}: {wrong}"
        );
    }
}

#[test]
fn three_wrong_answers_in_a_row_go_back_to_the_menu() {
    let mut c = reach(Step::Slot);
    c.say("x");
    c.say("100");
    assert_eq!(c.conversation().unwrap().wrong_answers(), 2);
    let reset = c.say("🙂");
    assert!(
        reset.starts_with("Sepertinya kita belum nyambung"),
        "{reset}"
    );
    assert!(reset.contains("lokasi"), "the greeting again: {reset}");
    assert_eq!(c.step_now(), Some(Step::Location));
    assert_eq!(c.conversation().unwrap().wrong_answers(), 0);

    // A right answer in between starts the count again.
    let mut c = reach(Step::Provider);
    c.say("x");
    c.say("x");
    c.say("1");
    c.say("x");
    let still = c.say("x");
    assert_eq!(c.step_now(), Some(Step::Service), "{still}");
    assert_eq!(c.conversation().unwrap().wrong_answers(), 2);
}

#[test]
fn thirty_minutes_of_silence_start_the_conversation_again() {
    let mut c = reach(Step::Provider);
    c.now += Duration::minutes(29) + Duration::seconds(59);
    let services = c.say("1");
    assert!(services.contains("Layanan dari Rina Makeup"), "{services}");
    assert_eq!(c.conversation().unwrap().last_message_at(), c.now);

    c.now += Duration::minutes(30);
    let lookups = c
        .effects
        .iter()
        .filter(|e| **e == Effect::LookUpCustomer)
        .count();
    let restarted = c.say("1");
    assert!(restarted.contains("30 menit"), "{restarted}");
    assert!(
        restarted.contains("Salon Cantik") && restarted.contains("lokasi"),
        "{restarted}"
    );
    assert!(
        !restarted.contains("Jadwal"),
        "the old choice is not taken: {restarted}"
    );
    assert_eq!(c.step_now(), Some(Step::Location));
    assert_eq!(
        c.effects
            .iter()
            .filter(|e| **e == Effect::LookUpCustomer)
            .count(),
        lookups + 1,
        "looked up again"
    );
}

#[test]
fn a_timeout_keeps_the_language() {
    let mut c = reach(Step::Service);
    c.say("english");
    c.now += Duration::hours(2);
    let restarted = c.say("hello");
    assert!(
        restarted.contains("30 minutes") && restarted.contains("Welcome to Salon Cantik"),
        "{restarted}"
    );
}
