//! The bot's wording, in Indonesian and English. Only words live here; what
//! is said when is decided in `conversation.rs`.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::booking::bookings::BookingStatus;
use crate::kernel::types::{Language, Money};
use crate::messaging::templates::{long_date, rupiah};

use Language::{En, Id};

/// At most `max` characters of what the customer typed (whitespace runs
/// collapsed), so an echo never grows with the input.
pub fn cap(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.chars().count() > max {
        let mut cut: String = out.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        out
    }
}

pub fn greeting(
    lang: Language,
    business: &str,
    custom: Option<&str>,
    name: Option<&str>,
) -> String {
    let first = match custom.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => c.to_string(),
        None => {
            let hello = match (lang, name) {
                (Id, Some(n)) => format!("Halo {n}!"),
                (Id, None) => "Halo!".to_string(),
                (En, Some(n)) => format!("Hello {n}!"),
                (En, None) => "Hello!".to_string(),
            };
            match lang {
                Id => format!("{hello} Selamat datang di {business}."),
                En => format!("{hello} Welcome to {business}."),
            }
        }
    };
    let rest = match lang {
        Id => {
            "Untuk mencari penyedia terdekat, kirim *lokasi* Anda (pin lokasi WhatsApp: 📎 → Lokasi) \
             atau ketik nama daerah/alamat Anda.\n\
             Ketik *booking saya* untuk melihat booking Anda, *batal* untuk berhenti. \
             Type *english* for English."
        }
        En => {
            "To find the nearest providers, share your *location* (WhatsApp location pin: 📎 → Location) \
             or type your area/address.\n\
             Type *my booking* to see your bookings, *cancel* to stop. \
             Ketik *indonesia* untuk Bahasa Indonesia."
        }
    };
    format!("{first}\n{rest}")
}

pub fn ended(lang: Language) -> &'static str {
    match lang {
        Id => "Baik, percakapan dihentikan. Ketik *menu* kapan saja untuk mulai lagi.",
        En => "All right, we stopped here. Type *menu* any time to start again.",
    }
}

pub fn not_a_choice(lang: Language) -> &'static str {
    match lang {
        Id => "Maaf, jawaban itu bukan salah satu pilihan.",
        En => "Sorry, that is not one of the choices.",
    }
}

pub fn back_to_menu(lang: Language) -> &'static str {
    match lang {
        Id => "Sepertinya kita belum nyambung, jadi kita mulai dari awal ya.",
        En => "It seems we are not getting anywhere, so let us start again.",
    }
}

pub fn timed_out(lang: Language) -> &'static str {
    match lang {
        Id => "Percakapan sebelumnya sudah kami tutup karena tidak ada balasan selama 30 menit.",
        En => "We closed the earlier conversation after 30 minutes without a reply.",
    }
}

pub fn language_switched(lang: Language) -> &'static str {
    match lang {
        Id => "Baik, kita lanjut dalam Bahasa Indonesia.",
        En => "Sure, let us continue in English.",
    }
}

pub fn trouble(lang: Language) -> &'static str {
    match lang {
        Id => "Maaf, sedang ada gangguan di sistem kami. Silakan coba lagi sebentar lagi.",
        En => "Sorry, our system has a problem right now. Please try again in a moment.",
    }
}

pub fn wait(lang: Language) -> &'static str {
    match lang {
        Id => "Mohon tunggu sebentar, permintaan Anda sedang kami proses.",
        En => "Please wait a moment, we are processing your request.",
    }
}

pub fn bad_location(lang: Language) -> &'static str {
    match lang {
        Id => "Maaf, lokasi itu tidak bisa kami baca.",
        En => "Sorry, we could not read that location.",
    }
}

pub fn km(distance: f64, lang: Language) -> String {
    let text = format!("{distance:.1}");
    match lang {
        Id => format!("{} km", text.replace('.', ",")),
        En => format!("{text} km"),
    }
}

pub fn minutes(n: u32, lang: Language) -> String {
    match lang {
        Id => format!("{n} menit"),
        En => format!("{n} min"),
    }
}

pub fn price(m: Money) -> String {
    rupiah(m)
}

pub fn providers_header(lang: Language, near: bool) -> &'static str {
    match (lang, near) {
        (Id, true) => "Penyedia terdekat dari lokasi Anda:",
        (Id, false) => "Penyedia di daerah Anda:",
        (En, true) => "The nearest providers to your location:",
        (En, false) => "Providers in your area:",
    }
}

pub fn services_label(lang: Language) -> &'static str {
    match lang {
        Id => "Layanan",
        En => "Services",
    }
}

pub fn more_title(lang: Language) -> &'static str {
    match lang {
        Id => "Lagi (berikutnya)",
        En => "More (next)",
    }
}

pub fn more_hint(lang: Language) -> &'static str {
    match lang {
        Id => "Ketik *lagi* untuk melihat pilihan berikutnya.",
        En => "Type *more* (or *lagi*) to see the next ones.",
    }
}

pub fn pick_provider(lang: Language) -> &'static str {
    match lang {
        Id => "Balas dengan nomor penyedia yang Anda pilih.",
        En => "Reply with the number of the provider you choose.",
    }
}

pub fn no_providers_near(lang: Language, radius_km: f64) -> String {
    let r = km(radius_km, lang);
    match lang {
        Id => format!(
            "Maaf, belum ada penyedia dalam radius {r} dari lokasi itu. \
             Silakan kirim *lokasi* lain (pin lokasi) atau ketik nama daerah lain."
        ),
        En => format!(
            "Sorry, there is no provider within {r} of that location. \
             Please share another *location* (location pin) or type another area."
        ),
    }
}

pub fn no_providers_in_area(lang: Language, area: &str) -> String {
    match lang {
        Id => format!(
            "Maaf, kami belum menemukan penyedia untuk \"{area}\". \
             Silakan kirim *lokasi* Anda sebagai pin lokasi WhatsApp (📎 → Lokasi) agar kami cari yang terdekat."
        ),
        En => format!(
            "Sorry, we found no provider for \"{area}\". \
             Please share your *location* as a WhatsApp location pin (📎 → Location) so we can find the nearest."
        ),
    }
}

pub fn services_header(lang: Language, provider: &str) -> String {
    match lang {
        Id => format!("Layanan dari {provider}:"),
        En => format!("Services by {provider}:"),
    }
}

pub fn pick_service(lang: Language) -> &'static str {
    match lang {
        Id => "Balas dengan nomor layanan yang Anda pilih.",
        En => "Reply with the number of the service you choose.",
    }
}

pub fn slots_header(lang: Language, provider: &str, service: &str) -> String {
    match lang {
        Id => format!("Jadwal kosong {provider} untuk {service} (7 hari ke depan):"),
        En => format!("Free times of {provider} for {service} (next 7 days):"),
    }
}

pub fn day(d: NaiveDate, lang: Language) -> String {
    long_date(d, lang)
}

pub fn pick_slot(lang: Language) -> &'static str {
    match lang {
        Id => "Balas dengan nomor jadwal yang Anda pilih.",
        En => "Reply with the number of the time you choose.",
    }
}

pub fn no_slots(lang: Language, provider: &str, service: &str) -> String {
    match lang {
        Id => format!(
            "Maaf, {provider} belum punya jadwal kosong untuk {service} dalam 7 hari ke depan."
        ),
        En => format!("Sorry, {provider} has no free time for {service} in the next 7 days."),
    }
}

pub fn other_service(lang: Language) -> &'static str {
    match lang {
        Id => "Pilih layanan lain",
        En => "Choose another service",
    }
}

pub fn other_provider(lang: Language) -> &'static str {
    match lang {
        Id => "Pilih penyedia lain",
        En => "Choose another provider",
    }
}

pub fn pick_one(lang: Language) -> &'static str {
    match lang {
        Id => "Balas dengan nomornya.",
        En => "Reply with its number.",
    }
}

pub fn ask_name(lang: Language) -> &'static str {
    match lang {
        Id => "Boleh kami tahu *nama* Anda? Ketik nama lengkap Anda.",
        En => "May we have your *name* (nama)? Please type your full name.",
    }
}

pub fn ask_address(lang: Language, default: bool) -> &'static str {
    match (lang, default) {
        (Id, true) => {
            "Di *alamat* mana layanan dilakukan? Balas 1 untuk memakai alamat lokasi Anda, \
             atau ketik alamat lengkap lain."
        }
        (Id, false) => "Di *alamat* mana layanan dilakukan? Ketik alamat lengkapnya.",
        (En, true) => {
            "At which *address* (alamat) should the service take place? Reply 1 to use your \
             location's address, or type another full address."
        }
        (En, false) => {
            "At which *address* (alamat) should the service take place? Please type the full address."
        }
    }
}

/// `Senin, 23 November 2026, 09:00–10:30`.
pub fn when(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz, lang: Language) -> String {
    let s = start.with_timezone(&tz);
    let e = end.with_timezone(&tz);
    format!(
        "{}, {}–{}",
        long_date(s.date_naive(), lang),
        s.format("%H:%M"),
        e.format("%H:%M")
    )
}

pub struct Summary<'a> {
    pub service: &'a str,
    pub duration_min: u32,
    pub price: Money,
    pub provider: &'a str,
    pub when: String,
    pub name: &'a str,
    pub address: &'a str,
}

pub fn summary(lang: Language, s: &Summary<'_>) -> String {
    let (title, service, provider, time, price, name, address, confirm) = match lang {
        Id => (
            "Ringkasan booking Anda:",
            "Layanan",
            "Penyedia",
            "Waktu",
            "Harga",
            "Nama",
            "Alamat",
            "Ketik *YA* untuk konfirmasi, atau *batal* untuk membatalkan.",
        ),
        En => (
            "Your booking:",
            "Service",
            "Provider",
            "Time",
            "Price",
            "Name",
            "Address",
            "Type *YES* to confirm, or *cancel* to stop.",
        ),
    };
    format!(
        "{title}\n{service}: {} ({})\n{provider}: {}\n{time}: {}\n{price}: {}\n{name}: {}\n{address}: {}\n{confirm}",
        s.service,
        minutes(s.duration_min, lang),
        s.provider,
        s.when,
        rupiah(s.price),
        s.name,
        s.address,
    )
}

pub fn booked(lang: Language, code: &str, when: &str) -> String {
    match lang {
        Id => format!(
            "Terima kasih! Booking Anda sudah kami terima dengan kode *{code}* ({when}). \
             Penyedia akan menghubungi Anda. Ketik *booking saya* untuk melihatnya."
        ),
        En => format!(
            "Thank you! Your booking is received with code *{code}* ({when}). \
             The provider will contact you. Type *my booking* to see it."
        ),
    }
}

pub fn slot_taken(lang: Language) -> &'static str {
    match lang {
        Id => "Maaf, jadwal itu sudah tidak tersedia lagi. Berikut jadwal kosong yang masih ada.",
        En => "Sorry, that time is no longer available. Here are the free times still open.",
    }
}

pub fn status(s: BookingStatus, lang: Language) -> &'static str {
    match (s, lang) {
        (BookingStatus::Pending, Id) => "menunggu pembayaran",
        (BookingStatus::Active, Id) => "aktif",
        (BookingStatus::Completed, Id) => "selesai",
        (BookingStatus::Canceled, Id) => "dibatalkan",
        (BookingStatus::Pending, En) => "pending",
        (BookingStatus::Active, En) => "confirmed",
        (BookingStatus::Completed, En) => "completed",
        (BookingStatus::Canceled, En) => "canceled",
    }
}

pub fn no_bookings(lang: Language) -> &'static str {
    match lang {
        Id => "Anda belum punya booking yang akan datang. Ketik *menu* untuk membuat booking.",
        En => "You have no upcoming booking. Type *menu* to make one.",
    }
}

pub fn bookings_header(lang: Language) -> &'static str {
    match lang {
        Id => "Booking Anda yang akan datang:",
        En => "Your upcoming bookings:",
    }
}

pub fn cancellable_header(lang: Language) -> &'static str {
    match lang {
        Id => "Yang masih menunggu dan bisa dibatalkan:",
        En => "Still pending, and can be canceled:",
    }
}

pub fn pick_cancel(lang: Language) -> &'static str {
    match lang {
        Id => "Balas dengan nomor booking yang ingin dibatalkan, atau ketik *menu* untuk kembali.",
        En => "Reply with the number of the booking to cancel, or type *menu* to go back.",
    }
}

pub fn nothing_to_cancel(lang: Language) -> &'static str {
    match lang {
        Id => "Ketik *menu* untuk membuat booking baru.",
        En => "Type *menu* to make a new booking.",
    }
}

pub fn confirm_cancel(lang: Language, booking: &str) -> String {
    match lang {
        Id => format!("Batalkan booking {booking}?\nKetik *YA* untuk konfirmasi pembatalan."),
        En => format!("Cancel booking {booking}?\nType *YES* to confirm the cancellation."),
    }
}

pub fn canceled(lang: Language, code: &str) -> String {
    match lang {
        Id => format!("Booking {code} sudah dibatalkan. Ketik *menu* untuk membuat booking baru."),
        En => format!("Booking {code} is canceled. Type *menu* to make a new booking."),
    }
}

pub fn not_cancellable(lang: Language, code: &str) -> String {
    match lang {
        Id => format!(
            "Maaf, booking {code} tidak bisa dibatalkan lagi lewat WhatsApp. Silakan hubungi kami."
        ),
        En => format!(
            "Sorry, booking {code} can no longer be canceled over WhatsApp. Please contact us."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_counts_characters_and_collapses_whitespace() {
        assert_eq!(cap("  Sari \n\t Dewi ", 20), "Sari Dewi");
        assert_eq!(cap("😀😀😀", 2), "😀…");
        assert_eq!(cap("abc", 3), "abc");
        assert_eq!(cap("abcd", 3), "ab…");
        assert_eq!(cap("", 0), "");
        assert_eq!(cap("abc", 0), "…");
    }

    #[test]
    fn distances_have_one_decimal_with_the_language_s_separator() {
        assert_eq!(km(12.34, Id), "12,3 km");
        assert_eq!(km(12.34, En), "12.3 km");
        assert_eq!(km(0.06, Id), "0,1 km");
    }
}
