-- The pairs' unique key with the newer person first: person ids grow with
-- time and a pair's person_b is its newer one, so each new pair lands at the
-- end of this index instead of at a random page of it.
ALTER TABLE duplicate_pairs ADD CONSTRAINT duplicate_pairs_newest_first
    UNIQUE (operation_id, person_b, person_a);
ALTER TABLE duplicate_pairs DROP CONSTRAINT duplicate_pairs_operation_id_person_a_person_b_key;
