//! The public API as the CLI and the server use it.

use matching::{
    ColumnMapping, Comparison, Config, Field, Index, Model, Record, match_batch, read_records,
    write_clusters,
};

/// A hand-set model over name, date of birth and phone (the batch learns these from data;
/// here they are fixed so that the index's mechanics are tested alone).
fn model() -> Model {
    let comparisons = vec![Comparison::Name, Comparison::DateOfBirth, Comparison::Phone];
    // name: missing different partial subset fuzzy phonetic exact
    // dob: missing different 5y 1y compatible typo exact; phone: missing different 2 1 exact
    let m = vec![
        vec![0.0, 0.02, 0.03, 0.05, 0.1, 0.3, 0.5],
        vec![0.0, 0.05, 0.05, 0.1, 0.3, 0.1, 0.4],
        vec![0.0, 0.3, 0.02, 0.08, 0.6],
    ];
    let u = vec![
        vec![0.0, 0.95, 0.03, 0.01, 0.005, 0.003, 0.002],
        vec![0.0, 0.9, 0.06, 0.02, 0.015, 0.003, 0.002],
        vec![0.0, 0.999, 0.0005, 0.0004, 0.0001],
    ];
    Model {
        comparisons,
        f: u.clone(),
        m,
        u,
        match_rate: 0.5,
        related_rate: 0.0,
    }
}

fn person(id: &str, given: &str, family: &str, dob: &str, phone: &str) -> Record {
    Record::new(id)
        .with(Field::GivenName, given)
        .with(Field::FamilyName, family)
        .with(Field::DateOfBirth, dob)
        .with(Field::Phone, phone)
}

#[test]
fn index_finds_the_same_person_across_scripts_and_calendars() {
    let mut index = Index::new(model(), 0.01);
    index
        .insert(&person(
            "a",
            "Mohammad Naser",
            "Zaheri",
            "1981-05-01",
            "0700 111 222",
        ))
        .unwrap();
    index
        .insert(&person("b", "Fatima", "Karimi", "1990", "0799 333 444"))
        .unwrap();
    for i in 0..50 {
        index
            .insert(&person(
                &format!("x{i}"),
                "Ahmad",
                &format!("Other{i}"),
                "1970",
                &format!("07{i:08}"),
            ))
            .unwrap();
    }
    assert!(
        index.insert(&person("a", "X", "Y", "", "")).is_err(),
        "ids are unique"
    );
    let new = Record::new("n")
        .with(Field::NativeName, "محمد ناصر ظاهری ولد گل")
        .with(Field::DateOfBirth, "SH:1360")
        .with(Field::Phone, "+93700111222");
    let found = index.candidates(&new);
    assert_eq!(found.first().map(|c| c.id.as_str()), Some("a"), "{found:?}");
    let best = &found[0];
    assert!(best.probability > 0.9);
    let name = best
        .explanation
        .contributions
        .iter()
        .find(|c| c.field == "name")
        .unwrap();
    assert_eq!(name.level, "phonetic");
    let dob = best
        .explanation
        .contributions
        .iter()
        .find(|c| c.field == "date_of_birth")
        .unwrap();
    assert_eq!(dob.level, "compatible", "SH 1360 contains 1 May 1981");
    assert!(found.iter().all(|c| c.id != "b"));
    assert!(index.remove("a"));
    assert!(!index.remove("a"));
    assert!(index.candidates(&new).iter().all(|c| c.id != "a"));
}

#[test]
fn records_removed_and_inserted_again_are_found_again() {
    let mut index = Index::new(model(), 0.01);
    let twin = |id: &str| person(id, "Mohammad Naser", "Zaheri", "1981-05-01", "0700 111 222");
    for id in ["a", "b", "c"] {
        index.insert(&twin(id)).unwrap();
    }
    let found = |index: &Index| {
        let mut ids: Vec<String> = index
            .candidates(&twin("new"))
            .into_iter()
            .map(|c| c.id)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(found(&index), ["a", "b", "c"]);
    // Keys held by three records, then two, then one, then none, then one again.
    assert!(index.remove("b"));
    assert_eq!(found(&index), ["a", "c"]);
    assert!(index.remove("a"));
    assert_eq!(found(&index), ["c"]);
    assert!(index.remove("c"));
    assert!(found(&index).is_empty());
    assert!(index.is_empty());
    index.insert(&twin("b")).unwrap();
    assert_eq!(found(&index), ["b"]);
}

#[test]
fn a_group_is_told_with_each_candidate_and_taken_out_together() {
    let mut index = Index::new(model(), 0.01);
    let twin = |id: &str| person(id, "Mohammad Naser", "Zaheri", "1981-05-01", "0700 111 222");
    for id in ["a", "b", "c"] {
        index.insert_in(&twin(id), 7).unwrap();
    }
    index.insert_in(&twin("d"), 8).unwrap();
    index.insert(&twin("e")).unwrap();
    let groups = |index: &Index| {
        let mut g: Vec<(String, Option<u32>)> = index
            .candidates(&twin("new"))
            .into_iter()
            .map(|c| (c.id, c.group))
            .collect();
        g.sort();
        g
    };
    let s = |id: &str, g: Option<u32>| (id.to_string(), g);
    assert_eq!(
        groups(&index),
        [
            s("a", Some(7)),
            s("b", Some(7)),
            s("c", Some(7)),
            s("d", Some(8)),
            s("e", None)
        ]
    );
    // One member out on its own: the rest of its group still goes together.
    assert!(index.remove("b"));
    assert_eq!(index.remove_group(7), 2);
    assert_eq!(index.remove_group(7), 0);
    assert_eq!(groups(&index), [s("d", Some(8)), s("e", None)]);
    assert_eq!(index.len(), 2);
    // A group's members can be inserted again.
    index.insert_in(&twin("a"), 7).unwrap();
    assert_eq!(
        groups(&index),
        [s("a", Some(7)), s("d", Some(8)), s("e", None)]
    );
}

#[test]
fn a_large_registry_finds_the_same_before_and_after_its_keys_are_folded() {
    // Enough records that their blocking keys are folded into the frozen tables (a shard
    // folds from 4,096 fresh entries, and each record here has a dozen keys or more, so
    // 6,000 give the 16 shards more than that): each person has a twin with a typo in
    // the name, and every tenth is removed again.
    let given = [
        "Ahmad", "Fatima", "Nadia", "Karim", "Zahra", "Omid", "Laila", "Yusuf",
    ];
    let who = |i: usize, twin: bool| {
        let family = format!("Family{}{}", i, if twin { "e" } else { "" });
        person(
            &format!("{}{i}", if twin { "t" } else { "p" }),
            given[i % given.len()],
            &family,
            &format!("19{:02}-{:02}-{:02}", 50 + i % 40, 1 + i % 12, 1 + i % 28),
            &format!("07{:08}", i * 7919 % 100_000_000),
        )
    };
    let n = 6_000;
    let mut index = Index::new(model(), 0.5);
    for i in 0..n {
        index.insert(&who(i, false)).unwrap();
        if i % 10 == 3 {
            assert!(index.remove(&format!("p{i}")));
        }
    }
    assert_eq!(index.len(), n - n / 10);
    let gone = |i: usize, removed: &[usize]| removed.contains(&(i % 10));
    let check = |index: &Index, removed: &[usize]| {
        for i in (0..n).step_by(37) {
            let found: Vec<String> = (index.candidates(&who(i, true)).into_iter())
                .map(|c| c.id)
                .collect();
            if gone(i, removed) {
                assert!(found.is_empty(), "{i}: {found:?}");
            } else {
                assert_eq!(found, [format!("p{i}")], "{i}");
            }
        }
    };
    check(&index, &[3]);
    // Half the records gone: their packed bytes are compacted away.
    for i in (0..n).filter(|&i| gone(i, &[5, 6, 7, 8])) {
        assert!(index.remove(&format!("p{i}")));
    }
    assert_eq!(index.len(), n / 2);
    check(&index, &[3, 5, 6, 7, 8]);
    assert!(!index.remove("p5"));
    assert!(index.remove("p4"));
}

#[test]
fn reads_febrl_columns_without_flags_and_writes_every_row() {
    let csv = "record_id,given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,soc_sec_id\n\
               1,john,smith,12,main street,,springfield,2000,nsw,19700101,1234567\n\
               2,jon,smith,12,main st,,springfield,2000,nsw,19700101,1234567\n\
               3,mary,jones,4,high road,,shelbyville,3000,vic,19800505,7654321\n";
    let records = read_records(csv.as_bytes(), &ColumnMapping::auto(), None).unwrap();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].id, "1");
    assert_eq!(records[0].get(Field::FamilyName), Some("smith"));
    assert_eq!(records[2].get(Field::SocialSecurity), Some("7654321"));
    let mapped = read_records(
        csv.as_bytes(),
        &ColumnMapping::auto()
            .with_override("surname=ignore")
            .unwrap(),
        Some("soc_sec_id"),
    );
    assert!(
        mapped.is_err(),
        "soc_sec_id repeats, so it cannot be the id column"
    );
    let result = match_batch(&records, &Config::default(), &|_| {});
    let mut out = Vec::new();
    write_clusters(&result, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 4);
    assert!(text.starts_with("record_id,cluster_id\n"));
}

#[test]
fn a_relearnt_index_scores_as_one_built_with_the_new_model() {
    // The new model drops the phone, puts the name second and trusts it more: other
    // comparisons, so the term frequencies must be counted again.
    let old = model();
    let name_m = vec![0.0, 0.01, 0.02, 0.04, 0.08, 0.25, 0.6];
    let learnt = Model {
        comparisons: vec![Comparison::DateOfBirth, Comparison::Name],
        m: vec![old.m[1].clone(), name_m],
        u: vec![old.u[1].clone(), old.u[0].clone()],
        f: vec![old.f[1].clone(), old.f[0].clone()],
        ..old
    };
    let people: Vec<Record> = (0..40)
        .map(|i| {
            let given = ["Mohammad Naser", "Ahmad", "Fatima", "Gul"][i % 4];
            let dob = format!("19{}-0{}-01", 60 + i % 7, 1 + i % 9);
            person(
                &format!("p{i}"),
                given,
                "Zaheri",
                &dob,
                &format!("07{i:08}"),
            )
        })
        .collect();
    let mut relearnt = Index::new(model(), 0.01);
    let mut built = Index::new(learnt.clone(), 0.01);
    for p in &people {
        relearnt.insert(p).unwrap();
        built.insert(p).unwrap();
    }
    let scores = |index: &Index| -> Vec<(String, String)> {
        let new = person(
            "n",
            "Mohammad Naser",
            "Zaheri",
            "1961-02-01",
            "0700 111 222",
        );
        (index.candidates(&new).into_iter())
            .map(|c| (c.id, format!("{:.12}", c.probability)))
            .collect()
    };
    assert_ne!(scores(&relearnt), scores(&built), "the models differ");
    relearnt.relearn(learnt);
    assert!(!scores(&built).is_empty());
    assert_eq!(scores(&relearnt), scores(&built));
    assert_eq!(relearnt.len(), people.len());
}

#[test]
fn look_ups_that_skip_hopeless_names_find_what_comparing_everything_finds() {
    // An index returning every candidate compares every name; one returning only the
    // likely ones skips the names of records whose other fields rule them out.
    let given = [
        "Mohammad",
        "Ahmad",
        "Fatima",
        "Gul",
        "Mohammad Naser",
        "Zahra",
    ];
    let family = ["Zaheri", "Karimi", "Ahmadzai", "Popal", "Zahiri"];
    let people: Vec<Record> = (0..3_000)
        .map(|i| {
            let dob = format!("19{}-0{}-1{}", 60 + i % 13, 1 + i % 9, i % 7);
            let phone = format!("07{:08}", (i * 7919) % 600);
            let (g, f) = (given[i % given.len()], family[(i / 7) % family.len()]);
            person(&format!("p{i}"), g, f, &dob, &phone)
        })
        .collect();
    let mut all = Index::new(model(), 0.0);
    let mut likely = Index::new(model(), 0.5);
    for p in &people {
        all.insert(p).unwrap();
        likely.insert(p).unwrap();
    }
    let mut compared = 0;
    let mut kept = 0;
    for (i, p) in people.iter().enumerate().step_by(37) {
        let mut q = p.clone();
        q.id = format!("new{i}");
        let expected: Vec<(String, String)> = (all.candidates(&q).into_iter())
            .inspect(|_| compared += 1)
            .filter(|c| c.probability >= 0.5)
            .map(|c| (c.id, format!("{:.12}", c.probability)))
            .collect();
        let found: Vec<(String, String)> = (likely.candidates(&q).into_iter())
            .map(|c| (c.id, format!("{:.12}", c.probability)))
            .collect();
        kept += found.len();
        assert_eq!(found, expected, "{i}");
    }
    assert!(kept > 0 && compared > 2 * kept, "{kept} of {compared}");
}
